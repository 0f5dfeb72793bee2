"""Anonymity for the ``deposit`` profile: generalise quasi-identifiers, then suppress rows, until
every combination of quasi-identifiers holds at least k people (k-anonymity; optionally
l-diversity on sensitive columns).

The method (docs/releases.md has the sources): full-domain generalisation along a fixed ladder,
each rung coarser than the one before, followed by record suppression — the combination Sweeney
(2002) and Samarati (2001) describe; we take the least generalisation whose suppression stays
within ``release.max_suppressed_share`` (Datafly-like, but with a ladder chosen for evaluation
analyses: time goes first, then units, then small staff groups, then organisations). Exact
submission times never leave in a deposit: they start at month precision.

The ladder, for the quasi-identifiers that are declared and present:

0. ``submitted_at`` → month (always, in a deposit)
1. ``submitted_at`` removed (the wave remains)
2. ``unit`` removed (units → their organisations)
3. ``staff_group``: groups with fewer than k people in a wave merged into ``other``
4. ``organisation`` → organisation type (project.yaml ``type``)
5. ``organisation``: types with fewer than k people in a wave merged into ``other``

A table that still needs more than the allowed share of its rows suppressed is refused, naming the
combinations that block it. The verifier recomputes k on the written files with its own code
(:mod:`releases.verify`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from project.config import Project
from project.errors import ReleaseError
from releases.model import Category, Column, Table, both
from releases.options import ReleaseOptions

OTHER = "other"
OTHER_LABEL = both("Övriga (små grupper sammanslagna)", "Other (small groups merged)")


@dataclass
class Outcome:
    """What anonymisation did to one table (reported in README, manifest and codebook)."""

    table: str
    rows_in: int
    rows_out: int
    steps: list[str] = field(default_factory=list)
    quasi_identifiers: list[str] = field(default_factory=list)
    k_achieved: int | None = None
    l_achieved: int | None = None

    @property
    def rows_dropped(self) -> int:
        return self.rows_in - self.rows_out

    def record(self) -> dict[str, object]:
        return {
            "table": self.table,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_dropped": self.rows_dropped,
            "generalised": self.steps,
            "quasi_identifiers": self.quasi_identifiers,
            "k_achieved": self.k_achieved,
            "l_achieved": self.l_achieved,
        }


Op = tuple[str, str, Callable[[pd.DataFrame], pd.DataFrame]]


def _merge_small(
    column: str, person: str, k: int, qis: tuple[str, ...]
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Values of ``column`` held by fewer than k people within a combination of the other
    quasi-identifiers become ``other`` there (local recoding)."""

    def merge(frame: pd.DataFrame) -> pd.DataFrame:
        others = [q for q in qis if q in frame.columns and q != column]
        keys = [_blank(frame[q]) for q in others] + [_blank(frame[column])]
        sizes = frame.groupby(keys, dropna=False)[person].transform("nunique")
        out = frame.copy()
        out[column] = out[column].where((sizes >= k) | out[column].isna(), OTHER)
        return out

    return merge


def _blank(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "")


def _drop(column: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.drop(columns=[column])


def ladder(project: Project, qis: tuple[str, ...], person: str, k: int) -> list[list[Op]]:
    """The rungs of generalisation, each a full recoding of the original rows (a list of
    operations), from the least to the most general; only declared quasi-identifiers change."""
    types = {o.id: o.type or OTHER for o in project.organisations}

    def to_type(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out["organisation"] = out["organisation"].map(lambda v: types.get(v, OTHER) if v else v)
        return out

    time: Op = ("submitted_at", "submitted_at removed (time to wave)", _drop("submitted_at"))
    unit: Op = ("unit", "unit removed (units to organisations)", _drop("unit"))
    staff: Op = (
        "staff_group",
        f"staff groups under {k} people merged",
        _merge_small("staff_group", person, k, qis),
    )
    org: Op = ("organisation", "organisations to organisation type", to_type)
    org_small: Op = (
        "organisation",
        f"organisation types under {k} people merged",
        _merge_small("organisation", person, k, qis),
    )
    rungs = [
        [time],
        [time, unit],
        [time, unit, staff],
        [time, unit, org],
        [time, unit, org, staff],
        [time, unit, org, staff, org_small],
    ]
    out: list[list[Op]] = []
    for rung in rungs:
        ops = [op for op in rung if op[0] in qis]
        if ops and ops not in out:
            out.append(ops)
    return out


def classes(frame: pd.DataFrame, qis: list[str], person: str) -> pd.Series:
    """People per combination of ``qis``, aligned to the rows of ``frame``."""
    if not qis:
        return pd.Series(frame[person].nunique(), index=frame.index)
    keys = [_blank(frame[c]) for c in qis]
    return frame.groupby(keys, dropna=False)[person].transform("nunique")


def _diversity(frame: pd.DataFrame, qis: list[str], sensitive: list[str]) -> pd.Series:
    """The smallest number of distinct values of a sensitive column in the row's combination."""
    if not sensitive:
        return pd.Series(float("inf"), index=frame.index)
    if not qis:
        counts = [pd.Series(frame[s].nunique(), index=frame.index) for s in sensitive]
    else:
        keys = [_blank(frame[c]) for c in qis]
        counts = [frame.groupby(keys, dropna=False)[s].transform("nunique") for s in sensitive]
    return pd.concat(counts, axis=1).min(axis=1)


def _violations(frame, qis, person, k, sensitive, l_div) -> pd.Series:
    bad = classes(frame, qis, person) < k
    if l_div:
        bad |= _diversity(frame, qis, sensitive) < l_div
    return bad


def _blocking(frame: pd.DataFrame, qis: list[str], person: str, bad: pd.Series) -> str:
    part = frame.loc[bad, [*qis, person]]
    part[qis] = part[qis].astype(object).where(part[qis].notna(), "")
    sizes = part.groupby(qis, dropna=False)[person].nunique().sort_values(kind="stable")
    shown = []
    for key, n in list(sizes.items())[:4]:
        values = key if isinstance(key, tuple) else (key,)
        combo = ", ".join(f"{c}={v or '(blank)'}" for c, v in zip(qis, values, strict=True))
        shown.append(f"{combo} ({n} {'person' if n == 1 else 'people'})")
    more = f"; and {len(sizes) - 4} more" if len(sizes) > 4 else ""
    return "; ".join(shown) + more


def anonymise_rows(
    frame: pd.DataFrame,
    *,
    table: str,
    project: Project,
    person: str,
    options: ReleaseOptions,
) -> tuple[pd.DataFrame, pd.Series, Outcome]:
    """Generalise and suppress one person-level frame.

    Returns the generalised frame (quasi-identifier columns changed or removed, all rows), the
    rows to keep, and what was done. ``options`` gives the quasi-identifiers, k, the sensitive
    columns with l, and the largest share of rows that may be suppressed.

    Raises
    ------
    ReleaseError
        When even the last rung needs more than ``max_share`` of the rows suppressed.
    """
    qis, k, max_share = options.quasi_identifiers, options.k_anonymity, options.max_suppressed_share
    sensitive, l_div = options.sensitive_columns, options.l_diversity
    base = frame.copy()
    outcome = Outcome(table, len(frame), len(frame))
    first = []
    if "submitted_at" in qis and "submitted_at" in base.columns:
        base["submitted_at"] = pd.to_datetime(base["submitted_at"]).dt.strftime("%Y-%m")
        first.append("submitted_at to month")
    sens = [s for s in sensitive if s in base.columns]
    rungs = iter(ladder(project, qis, person, k))
    current, steps = base, list(first)
    while True:
        present = [q for q in qis if q in current.columns]
        bad = _violations(current, present, person, k, sens, l_div)
        if len(current) == 0 or bad.mean() <= max_share:
            break
        rung = next(rungs, None)
        if rung is None:
            raise ReleaseError(
                f"{table}: k = {k} cannot be reached without dropping {int(bad.sum())} of "
                f"{len(current)} rows ({bad.mean():.0%}; release.max_suppressed_share allows "
                f"{max_share:.0%}), even with every generalisation. Blocking combinations: "
                f"{_blocking(current, present, person, bad)}. Hint: lower privacy.k_anonymity, "
                f"declare fewer privacy.quasi_identifiers, or raise release.max_suppressed_share."
            )
        current, steps = base, list(first)
        for column, description, step in rung:
            if column in current.columns:
                current = step(current)
                steps.append(description)
    outcome.steps = steps
    keep = ~bad
    kept = current[keep]
    outcome.rows_out = int(keep.sum())
    outcome.quasi_identifiers = present
    outcome.k_achieved = int(classes(kept, present, person).min()) if len(kept) else None
    if l_div and sens and len(kept):
        outcome.l_achieved = int(_diversity(kept, present, sens).min())
    return current, keep, outcome


def smallest_class(frame: pd.DataFrame, qis: tuple[str, ...], person: str) -> int | None:
    """k as it is, without any change (reported for the internal profile)."""
    present = [q for q in qis if q in frame.columns]
    return int(classes(frame, present, person).min()) if len(frame) else None


def apply_generalisation(table: Table, generalised: pd.DataFrame, keep: pd.Series) -> None:
    """Carry generalised key columns and the kept rows into ``table`` (frame and descriptions)."""
    frame = table.frame.loc[keep.to_numpy()].reset_index(drop=True)
    kept = generalised.loc[keep.to_numpy()].reset_index(drop=True)
    columns = []
    for col in table.columns:
        if col.name not in frame.columns:
            continue
        if col.name in ("submitted_at", "organisation", "staff_group", "unit"):
            if col.name not in kept.columns:
                continue
            frame[col.name] = kept[col.name].to_numpy()
            col = _relabel(col, frame[col.name])
        columns.append(col)
    table.frame = frame
    table.keep([c.name for c in columns])
    table.columns = tuple(columns)


def _relabel(col: Column, values: pd.Series) -> Column:
    if col.name == "submitted_at":
        return Column(col.name, "yearmonth", both("Inskickad (månad)", "Submitted (month)"))
    known = {c.value: c for c in col.categories}
    present = sorted({str(v) for v in values.dropna()})
    cats = tuple(
        known.get(v) or (Category(v, OTHER_LABEL) if v == OTHER else Category(v, both(v, v)))
        for v in present
    )
    return Column(col.name, col.type, col.label, categories=cats, note=col.note)
