"""Survey tables for reuse: one row per respondent × wave, items as columns, and scale scores.

Item columns hold the instrument's canonical codes. An answer "not relevant" (NoMAD's option B)
is kept, as a declared missing code: ``-1, -2, -3, …`` in the order the instrument lists its
"not applicable" options (below the lowest scored code when a response set has negative codes);
SPSS declares them user-missing, Stata holds them as ``.a, .b, .c``. An item left blank is
system-missing (empty in CSV). Scale scores are the pipeline's own (:func:`analysis.scoring.
score_scales`): reverse-keyed items reversed, ``min_answered`` applied, "not relevant" never scored.
"""

from __future__ import annotations

import string

import pandas as pd

from instruments.spec import InstrumentSpec, Item
from project.config import Project
from releases.keys import ReleaseKey
from releases.model import Category, Column, ForeignKey, MissingCode, Table, both
from releases.reads import SurveyData

KEYS = ("respondent_id", "wave", "organisation", "unit", "staff_group")
PSEUDONYM_PATTERN = "^r[0-9a-f]{16}$"


def missing_codes(spec: InstrumentSpec) -> dict[str, MissingCode]:
    """not-applicable key → its declared missing code, one code per key across the instrument."""
    lows = [rs.low for rs in spec.response_sets.values()]
    base = min(0, int(min(lows))) if lows else 0
    codes: dict[str, MissingCode] = {}
    for rs in spec.response_sets.values():
        for option in rs.not_applicable:
            if option.key not in codes:
                i = len(codes)
                codes[option.key] = MissingCode(
                    base - 1 - i, string.ascii_lowercase[i], option.key, option.labels
                )
    return codes


def key_columns(project: Project, waves: list[str]) -> dict[str, Column]:
    """The descriptions of the key columns (wave, organisation, unit, staff group, time)."""
    wave_labels = {w.id: w.labels or both(w.id, w.id) for w in project.waves}
    return {
        "respondent_id": Column(
            "respondent_id",
            "string",
            both(
                "Respondent (pseudonym för denna release)", "Respondent (this release's pseudonym)"
            ),
            required=True,
            pattern=PSEUDONYM_PATTERN,
        ),
        "wave": Column(
            "wave",
            "string",
            both("Mätomgång", "Survey wave"),
            categories=tuple(Category(w, wave_labels[w]) for w in waves),
            required=True,
        ),
        "organisation": Column(
            "organisation",
            "string",
            both("Organisation", "Organisation"),
            categories=tuple(Category(o.id, o.labels) for o in project.organisations),
        ),
        "unit": Column(
            "unit",
            "string",
            both("Enhet", "Unit"),
            categories=tuple(
                Category(u.id, u.labels) for o in project.organisations for u in o.units
            ),
        ),
        "staff_group": Column(
            "staff_group",
            "string",
            both("Yrkesgrupp", "Staff group"),
            categories=tuple(Category(g.id, g.labels) for g in project.staff_groups),
        ),
        "submitted_at": Column("submitted_at", "datetime", both("Inskickad", "Submitted")),
    }


def item_column(spec: InstrumentSpec, item: Item, codes: dict[str, MissingCode]) -> Column:
    """What the codebook says about one item."""
    rs = spec.response_set_of(item.id)
    notes = []
    if item.reverse:
        notes.append(both("Omvänt kodad vid poängsättning", "Reverse-keyed when scored"))
    if item.npt_construct:
        notes.append(both(f"NPT: {item.npt_construct}", f"NPT: {item.npt_construct}"))
    note = both("; ".join(n.sv for n in notes), "; ".join(n.en for n in notes)) if notes else None
    return Column(
        name=spec.column(item.id),
        type="integer" if rs.type == "ordinal" or rs.integer else "number",
        label=item.label,
        categories=tuple(Category(o.code, o.labels) for o in rs.options),
        ordered=rs.type == "ordinal",
        missing=tuple(codes[o.key] for o in rs.not_applicable),
        minimum=rs.low,
        maximum=rs.high,
        question=item.label,
        note=note,
    )


def _item_frame(data: SurveyData, codes: dict[str, MissingCode]) -> pd.DataFrame:
    """Item codes, "not relevant" answers as their missing codes."""
    spec, wide = data.spec, data.wide
    values = wide.loc[:, spec.columns].copy()
    long = data.long
    na = long.loc[
        (long["status"] == "not_applicable") & long["not_applicable"].isin(list(codes)),
        ["wave", "respondent_id", "item", "not_applicable"],
    ]
    if not na.empty:
        coded = na.assign(
            code=na["not_applicable"].map({k: m.code for k, m in codes.items()}),
            column=na["item"].map(spec.column),
        ).pivot(index=["wave", "respondent_id"], columns="column", values="code")
        rows = pd.MultiIndex.from_arrays([wide["wave"], wide["respondent_id"]])
        coded = coded.reindex(index=rows, columns=values.columns)
        coded.index = values.index
        values = values.mask(coded.notna(), coded)
    for item in spec.items:
        rs = spec.response_set_of(item.id)
        if rs.type == "ordinal" or rs.integer:
            column = spec.column(item.id)
            values[column] = values[column].round().astype("Int64")
    return values


def survey_table(data: SurveyData, project: Project, key: ReleaseKey) -> Table:
    """``survey_<instrument>``: one row per respondent × wave, codes as answered."""
    spec = data.spec
    codes = missing_codes(spec)
    waves = [w.id for w in project.waves if w.instrument == spec.id]
    keys = key_columns(project, waves)
    frame = data.wide.loc[:, [*KEYS, "submitted_at"]].copy()
    frame["respondent_id"] = frame["respondent_id"].map(key.pseudonym)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    frame = pd.concat([frame, _item_frame(data, codes)], axis=1)
    columns = (
        *(keys[k] for k in (*KEYS, "submitted_at")),
        *(item_column(spec, item, codes) for item in spec.items),
    )
    return Table(
        name=f"survey_{spec.id.replace('-', '_')}",
        title=both(f"Enkätsvar: {spec.name.sv}", f"Survey answers: {spec.name.en}"),
        frame=frame.reset_index(drop=True),
        columns=columns,
        primary_key=("respondent_id", "wave"),
        person_key="respondent_id",
        labelled=True,
        description=both(
            f"En rad per respondent och mätomgång; {spec.name.sv}, version {spec.version}.",
            f"One row per respondent and wave; {spec.name.en}, version {spec.version}.",
        ),
    )


def scores_table(data: SurveyData, project: Project, key: ReleaseKey, survey: Table) -> Table:
    """``scores_<instrument>``: the scale scores of the same rows as the survey table."""
    spec = data.spec
    waves = [w.id for w in project.waves if w.instrument == spec.id]
    keys = key_columns(project, waves)
    frame = data.wide.loc[:, list(KEYS)].copy()
    frame["respondent_id"] = frame["respondent_id"].map(key.pseudonym)
    columns = [keys[k] for k in KEYS]
    scores = data.scores
    for scale in spec.scales:
        part = scores[scores["scale"] == scale.id].set_index(["wave", "respondent_id"])
        index = pd.MultiIndex.from_arrays([data.wide["wave"], data.wide["respondent_id"]])
        name = spec.column(scale.id)
        frame[name] = part["score"].reindex(index).to_numpy()
        frame[f"{name}_n"] = part["n_answered"].reindex(index).astype("Int64").to_numpy()
        low, high = spec.score_range(scale.id)
        rule = both(
            f"{'Medelvärde' if scale.method == 'mean' else 'Summa'} av {len(scale.items)} "
            f"frågor, minst {scale.required_answers()} besvarade",
            f"{scale.method.capitalize()} of {len(scale.items)} items, at least "
            f"{scale.required_answers()} answered",
        )
        columns.append(Column(name, "number", scale.label, minimum=low, maximum=high, note=rule))
        columns.append(
            Column(
                f"{name}_n",
                "integer",
                both(f"{scale.label.sv}: antal besvarade", f"{scale.label.en}: items answered"),
                minimum=0,
                maximum=len(scale.items),
            )
        )
    return Table(
        name=survey.name.replace("survey_", "scores_", 1),
        title=both(f"Skalpoäng: {spec.name.sv}", f"Scale scores: {spec.name.en}"),
        frame=frame.reset_index(drop=True),
        columns=tuple(columns),
        primary_key=("respondent_id", "wave"),
        foreign_keys=(
            ForeignKey(("respondent_id", "wave"), survey.name, ("respondent_id", "wave")),
        ),
        person_key="respondent_id",
        description=both(
            "Skalpoäng per respondent och mätomgång, beräknade av impleval enligt kodboken.",
            "Scale scores per respondent and wave, computed by impleval as the codebook says.",
        ),
    )
