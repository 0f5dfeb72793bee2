"""Rosters: who is asked to answer a wave — the roster's part of the one ingest transaction
(:mod:`ingest.transaction`).

A roster (CSV or XLSX) has one row per person: an e-mail address, the organisation, optionally the
unit, the staff group and optionally the language (sv or en) of the messages. Organisation, unit and
staff group are matched to project.yaml as a survey export's are (ids, sv/en labels, ``accept``).
The respondent identifier is the column the wave's export profile names (by default the e-mail
address, as in the survey exports), so the roster's keyed pseudonym is the survey's: reminders find
who has answered, and ``waves status`` counts who was invited.

The store keeps the pseudonym, organisation, unit, staff group and language; the address stays in
the landed raw file, read again only when a message is sent (:func:`read_roster_file`). A roster with
an unknown organisation, unit or staff group, a malformed address or the same address twice is
refused as a whole, with one line naming the rows (never the addresses). The slot is the wave × the
file's name: several rosters of one wave (one per organisation, say) add up, a person on two of
them counts once, and a new version of the same file needs ``--replace``.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from ingest.kinds import IngestOptions
from ingest.read import is_blank, map_cells, read_table
from ingest.survey_profile import find_column, load_profile, norm_header
from ingest.transaction import Clash, Evaluation, Slot
from privacy.keys import ProjectKey, pseudonymise
from project.config import Project, Wave
from project.errors import ConfigError, ResponseDataError
from project.labels import normalise_label
from project.layout import ProjectPaths
from store import warehouse

KIND = "roster"
EMAIL = ("E-post", "E-postadress", "Epost", "E-mail", "Email", "Mail", "Address")
LANGUAGE = ("Språk", "Sprak", "Language", "Lang")
LANGUAGES = {
    "sv": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "en": "en",
    "engelska": "en",
    "english": "en",
}
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")
COLUMNS = ["source_row", "email", "identifier", "organisation", "unit", "staff_group", "language"]


def roster_wave(project: Project, options: IngestOptions) -> Wave:
    """The wave ``--wave`` names (``--instrument`` only when two instruments share the id)."""
    wave_id = str(options.wave)
    found = [
        w for w in project.waves if w.id == wave_id and options.instrument in (None, w.instrument)
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        known = ", ".join(dict.fromkeys(w.id for w in project.waves)) or "(none)"
        raise ConfigError(
            f"project.yaml: wave {wave_id!r} is not declared. Expected one of {known}. Hint: "
            f"check --wave."
        )
    raise ConfigError(
        f"--wave {wave_id}: several instruments have a wave {wave_id} "
        f"({', '.join(w.instrument for w in found)}). Hint: add --instrument."
    )


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:5])
    return f"row{'s' if len(rows) > 1 else ''} {shown}{' …' if len(rows) > 5 else ''}"


def _columns(table: pd.DataFrame, wave: Wave, name: str) -> dict[str, str | None]:
    profile = load_profile(wave.profile)
    cols = [str(c) for c in table.columns]
    found = {
        "email": find_column(cols, EMAIL),
        "identifier": find_column(cols, tuple(profile.identifier)),
        "organisation": find_column(cols, tuple(profile.organisation)),
        "unit": find_column(cols, tuple(profile.unit)),
        "staff_group": find_column(cols, tuple(profile.staff_group)),
        "language": find_column(cols, LANGUAGE),
    }
    missing = [k for k in ("email", "organisation", "staff_group") if found[k] is None]
    if missing:
        expected = {"email": EMAIL[0], "organisation": "Organisation", "staff_group": "Yrkesgrupp"}
        raise ResponseDataError(
            f"{name}: no {', '.join(m.replace('_', ' ') for m in missing)} column. Expected "
            f"columns such as {', '.join(expected[m] for m in missing)}; found "
            f"{', '.join(cols[:8])}. Hint: a roster has e-mail, organisation, unit (optional), "
            f"staff group and language (optional) columns."
        )
    found["identifier"] = found["identifier"] or found["email"]
    return found


def _problem(name: str, what: str, rows: list[int], hint: str) -> ResponseDataError:
    return ResponseDataError(f"{name}: {what} in {_rows_text(rows)}. {hint}")


def _map_named(
    column: pd.Series, lookup: dict[str, str], name: str, what: str, known: list[str]
) -> pd.Series:
    mapped = map_cells(column, lambda v: None if is_blank(v) else lookup.get(normalise_label(v)))
    bad = mapped.isna()
    if bad.any():
        values = sorted({str(v).strip() for v in column[bad]})[:3]
        raise _problem(
            name,
            f"unknown {what} {', '.join(repr(v) for v in values)}",
            [int(r) for r in column.index[bad]],
            f"Expected one of {', '.join(known[:8])}{' …' if len(known) > 8 else ''}; hint: use "
            f"project.yaml's ids or labels, or add the spelling under accept:.",
        )
    return mapped


def _addresses(column: pd.Series, name: str) -> pd.Series:
    email = map_cells(column, lambda v: None if is_blank(v) else " ".join(str(v).split()))
    bad = [int(r) for r in column.index[email.isna() | ~email.fillna("").str.match(_ADDRESS)]]
    if bad:
        raise _problem(
            name,
            "a missing or malformed e-mail address",
            bad,
            "Expected name@domain.se; hint: correct the roster and ingest it again.",
        )
    repeated = [int(r) for r in column.index[email.str.casefold().duplicated(keep=False)]]
    if repeated:
        raise _problem(
            name,
            "the same e-mail address more than once",
            repeated,
            "Expected each person once; hint: remove the repeated rows.",
        )
    return email


def _units(
    column: pd.Series | None, organisation: pd.Series, project: Project, name: str
) -> pd.Series:
    unit = pd.Series(None, index=organisation.index, dtype=object)
    if column is None:
        return unit
    units = {s: u for s, (_, u) in project.unit_lookup.items()}
    given = ~map_cells(column, is_blank).astype(bool)
    unit[given] = _map_named(column[given], units, name, "unit", sorted(set(units.values())))
    owner = {u.id: o.id for o in project.organisations for u in o.units}
    wrong = [int(r) for r in column.index[given & (unit.map(owner) != organisation)]]
    if wrong:
        raise _problem(
            name,
            "a unit that belongs to another organisation",
            wrong,
            "Hint: check the organisation and unit columns of these rows.",
        )
    return unit


def _languages(column: pd.Series | None, index: pd.Index, name: str) -> pd.Series:
    if column is None:
        return pd.Series(None, index=index, dtype=object)
    language = map_cells(
        column, lambda v: None if is_blank(v) else LANGUAGES.get(str(v).strip().casefold(), "?")
    )
    odd = [int(r) for r in index[language == "?"]]
    if odd:
        raise _problem(
            name,
            "a language other than sv or en",
            odd,
            "Expected sv or en (or leave it empty for the report language).",
        )
    return language


def map_roster(table: pd.DataFrame, project: Project, wave: Wave, name: str) -> pd.DataFrame:
    """The roster's rows as :data:`COLUMNS` (addresses in clear: for sending only, never stored).

    Raises
    ------
    ResponseDataError
        For a malformed or repeated address, an unknown organisation, unit or staff group.
    """
    cols = _columns(table, wave, name)
    email = _addresses(table[cols["email"]], name)
    organisation = _map_named(
        table[cols["organisation"]],
        project.organisation_lookup,
        name,
        "organisation",
        [o.id for o in project.organisations],
    )
    staff_group = _map_named(
        table[cols["staff_group"]],
        project.staff_group_lookup,
        name,
        "staff group",
        [g.id for g in project.staff_groups],
    )
    unit_col, lang_col = cols["unit"], cols["language"]
    identifier = table[cols["identifier"]] if cols["identifier"] != cols["email"] else email
    return pd.DataFrame(
        {
            "source_row": table.index.astype(int),
            "email": email,
            "identifier": identifier.astype(object),
            "organisation": organisation,
            "unit": _units(
                None if unit_col is None else table[unit_col], organisation, project, name
            ),
            "staff_group": staff_group,
            "language": _languages(
                None if lang_col is None else table[lang_col], table.index, name
            ),
        }
    ).reset_index(drop=True)


def read_roster_file(
    path: Path, project: Project, wave: Wave, *, name: str, sheet: str | None = None
) -> pd.DataFrame:
    """Read and check a roster file (landed or not): :func:`map_roster` of its table."""
    known = {norm_header(c) for c in (*EMAIL, *LANGUAGE, "Organisation", "Enhet", "Yrkesgrupp")}
    table = read_table(
        path, display_name=name, sheet=sheet, header_names=lambda cell: norm_header(cell) in known
    )
    return map_roster(table, project, wave, name)


def with_pseudonyms(rows: pd.DataFrame, key: ProjectKey) -> pd.DataFrame:
    """The roster rows with ``respondent_id``, the survey's keyed pseudonym of the identifier."""
    ids = map_cells(
        rows["identifier"], lambda v: None if is_blank(v) else pseudonymise(str(v), key)
    )
    return rows.assign(respondent_id=ids)


class RosterIngest:
    """One roster of one wave (see :mod:`ingest.transaction`)."""

    def __init__(
        self, project: Project, paths: ProjectPaths, file_name: str, options: IngestOptions
    ) -> None:
        self.project, self.file_name, self.sheet = project, file_name, options.sheet
        self.wave = roster_wave(project, options)
        self.slot = Slot(
            what=f"roster {self.wave.id}",
            page=f"roster-{self.wave.instrument}-{self.wave.id}-{Path(file_name).stem}.html",
            instrument=self.wave.instrument,
            wave=self.wave.id,
        )
        self.rows = pd.DataFrame(columns=COLUMNS)

    def evaluate(self, source: Path, key: ProjectKey | None) -> Evaluation:
        if key is None:
            raise ValueError("a roster ingest needs the project's key")
        rows = read_roster_file(
            source, self.project, self.wave, name=self.file_name, sheet=self.sheet
        )
        blank = [int(r) for r in rows.loc[rows["identifier"].map(is_blank), "source_row"]]
        if blank:
            raise _problem(
                self.file_name,
                "an empty respondent identifier",
                blank,
                "Hint: every person needs the identifier the survey export uses.",
            )
        self.rows = with_pseudonyms(rows, key).drop(columns=["email", "identifier"])
        orgs = self.rows["organisation"].nunique()
        groups = self.rows["staff_group"].nunique()
        return Evaluation(
            rows_read=len(rows),
            rows_loaded=len(rows),
            reasons=pd.DataFrame(columns=["source_row", "column", "rule", "detail"]),
            target=self.slot.what,
            checked_rules=(
                "roster_address",
                "roster_unique",
                "roster_organisation",
                "roster_unit",
                "roster_staff_group",
            ),
            notes=(
                f"{len(rows)} persons in {orgs} organisation(s) and {groups} staff group(s); "
                f"the addresses stay in the landed raw file only",
            ),
            facts={"wave": self.wave.id, "persons": len(rows)},
        )

    def clashes(self, con: duckdb.DuckDBPyConnection) -> Clash | None:
        same = [
            (i, name)
            for i, name, _ in warehouse.active_ingests(
                con, KIND, instrument=self.wave.instrument, wave=self.wave.id
            )
            if name == self.file_name
        ]
        if not same:
            return None
        return Clash(
            tuple(same), f"the roster {self.file_name} of wave {self.wave.id} is loaded already"
        )

    def load(self, con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
        tagged = self.rows.assign(
            ingest_id=ingest_id, instrument=self.wave.instrument, wave=self.wave.id
        )
        warehouse.insert_frame(con, "roster", tagged)
