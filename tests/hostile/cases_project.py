"""Hostile project.yaml files (the example's, edited), each with its declared outcome under
``impleval run --stage ingest`` (an empty inbox unless the case puts a file there)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import EXAMPLE
from tests.hostile.cases import Case

YAML = (EXAMPLE / "project.yaml").read_text(encoding="utf-8")
WAVE_T0 = "    invited: 262\n"
#: Where the example's first "Älvstads sjukhus" starts: the byte a latin-1 save puts there.
_LATIN1_AT = YAML.encode("utf-8").index("Älvstads sjukhus".encode())
_LATIN1_LINE = YAML.encode("utf-8")[:_LATIN1_AT].count(b"\n") + 1
LAUGHS = "lol0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 9)
)


def project(
    old: str = "",
    new: str = "",
    *,
    data: bytes | None = None,
    inbox: dict[str, bytes] | None = None,
):
    """The example's project.yaml with ``old`` replaced by ``new`` (or ``data`` as the file)."""
    if old and old not in YAML:
        raise AssertionError(f"not in the example's project.yaml: {old!r}")

    def build(folder: Path) -> Path:
        path = folder / "project.yaml"
        path.write_bytes(data if data is not None else YAML.replace(old, new, 1).encode())
        (folder / "inbox").mkdir()
        for name, content in (inbox or {}).items():
            (folder / "inbox" / name).write_bytes(content)
        return path

    return build


def invited_by(organisation: str = "hc_strand", staff_group: str = "nurse"):
    return project(
        WAVE_T0,
        f"    invited_by:\n      - {{organisation: {organisation}, staff_group: {staff_group}, "
        f"invited: 40}}\n",
    )


CASES: list[Case] = [
    # -- refused ---------------------------------------------------------------------------------
    Case(
        "invited_by names an undeclared organisation",
        invited_by("hc_strnd"),
        refused=(
            "project.yaml: waves[T0].invited_by[#1].organisation: 'hc_strnd' is not a "
            "declared organisation. Expected one of ch_bjorkgarden, ch_solglantan, hc_asen, "
            "hc_bjorkdal, hc_home_alvstad, hc_norrmalm, hc_strand, hhc_alvstad, hhc_fjallby, "
            "hosp_alvstad, hosp_fjallby, soc_alvstad, …. Hint: did you mean 'hc_strand'?"
        ),
    ),
    Case(
        "invited_by names an undeclared staff group",
        invited_by(staff_group="nurses"),
        refused=(
            "project.yaml: waves[T0].invited_by[#1].staff_group: 'nurses' is not a declared "
            "staff group. Expected one of assistant_nurse, care_aide, care_needs_assessor, "
            "district_nurse, nurse, occupational_therapist, physician, physiotherapist, "
            "unit_manager. Hint: did you mean 'nurse'?"
        ),
    ),
    Case(
        "invited_by with a look-alike Cyrillic letter",
        invited_by("hc_\u0455trand"),
        refused=(
            "project.yaml: waves[T0].invited_by[#1].organisation: 'hc_ѕtrand' is not a "
            "declared organisation. Expected one of ch_bjorkgarden, ch_solglantan, hc_asen, "
            "hc_bjorkdal, hc_home_alvstad, hc_norrmalm, hc_strand, hhc_alvstad, hhc_fjallby, "
            "hosp_alvstad, hosp_fjallby, soc_alvstad, …. Hint: did you mean 'hc_strand'?"
        ),
    ),
    Case(
        "wave of a mistyped instrument",
        project("  - id: T1\n    instrument: nomad\n", "  - id: T1\n    instrument: nomda\n"),
        refused=(
            "project.yaml: waves[T1].instrument: 'nomda' is not a declared instrument. "
            "Expected one of nomad, pcat. Hint: did you mean 'nomad'?"
        ),
    ),
    Case(
        "goal measured by a mistyped indicator",
        project("    indicator: patient_participation\n", "    indicator: patient_particpation\n"),
        refused=(
            "project.yaml: goals[participation_80].indicator: 'patient_particpation' is not "
            "a declared indicator. Expected one of admission_message_delay, "
            "admission_messages_on_time, days_ready_for_discharge, digital_services, "
            "named_care_contact, organisations_supported, patient_participation, "
            "sips_written, stay_ready_for_discharge, weekend_discharges. Hint: did you mean "
            "'patient_participation'?"
        ),
    ),
    Case(
        "activity serving a mistyped goal",
        project("    goals: [new_ways_of_working]\n", "    goals: [new_way_of_working]\n"),
        refused=(
            "project.yaml: activities[mobilisation].goals: 'new_way_of_working' is not a "
            "declared goal. Expected one of admission_messages, all_municipalities, "
            "children_sip, fewer_days_ready, growth, new_ways_of_working, participation_80, "
            "plans_on_1177, plans_read_80, process, users_trained. Hint: did you mean "
            "'new_ways_of_working'?"
        ),
    ),
    Case(
        "document rule naming a mistyped group",
        project(
            "stakeholder_group: relatives, round: r2}", "stakeholder_group: relative, round: r2}"
        ),
        refused=(
            "project.yaml: interviews.documents[#4].stakeholder_group: 'relative' is not a "
            "declared stakeholder group. Expected one of relatives, staff, steering_group. "
            "Hint: did you mean 'relatives'?"
        ),
    ),
    Case(
        "primary coder not among the coders",
        project("  primary_coder: coder_a\n", "  primary_coder: coder_c\n"),
        refused=(
            "project.yaml: interviews.primary_coder: 'coder_c' is not a declared coder. "
            "Expected one of coder_a, coder_b. Hint: did you mean 'coder_b'?"
        ),
    ),
    Case(
        "code_map target not in the codebook",
        project(": it_support\n", ": it_suport\n"),
        refused=(
            "project.yaml: interviews.code_map[Projektkoder > Hinder > IT och teknik]: "
            "'it_suport' is not a declared codebook code. Expected one of barriers, caci, "
            "caiw, cari, casw, cocs, codi, cognitive_participation, coherence, coin, cois, "
            "collective_action, …. Hint: did you mean 'it_support'?"
        ),
    ),
    Case(
        "a byte that is not UTF-8",
        project(
            data=YAML.encode("utf-8").replace(
                "Älvstads sjukhus".encode(), "Älvstads sjukhus".encode("latin-1"), 1
            )
        ),
        refused=(
            f"project.yaml: byte 0xc4 at byte position {_LATIN1_AT} (line {_LATIN1_LINE}) is "
            "not UTF-8. Hint: save project.yaml as UTF-8 (the editor's 'Save with encoding')."
        ),
    ),
    Case(
        "billion laughs of YAML aliases",
        project(data=(LAUGHS + YAML).encode()),
        refused=(
            "project.yaml: its aliases (*name) expand to more than 1,000,000 values (a "
            "'billion laughs'). Expected a plain project file. Hint: write the values out "
            "instead of repeating anchors (&name)."
        ),
    ),
    Case(
        "tab indentation",
        project("  - id: T1\n", "\t- id: T1\n"),
        refused=(
            "project.yaml line 66, column 1: not valid YAML: a tab character. Hint: YAML "
            "indents with spaces, not tabs.\n  66 | \t- id: T1\n     | ^"
        ),
    ),
    Case(
        "a mistyped key",
        project(WAVE_T0, "    invted: 262\n"),
        refused=(
            "project.yaml: waves[T0].invted: unknown key. Expected one of id, instrument, "
            "opens, closes, labels, short, invited, invited_by, profile, reminders, survey_url, parts. Did "
            "you mean `invited`?"
        ),
    ),
    # -- loaded ----------------------------------------------------------------------------------
    Case(
        "UTF-8 BOM and CRLF",
        project(data=("\ufeff" + YAML).replace("\n", "\r\n").encode()),
        warnings=("ingest: done",),
    ),
    Case("invited_by that names declared ids", invited_by(), warnings=("ingest: done",)),
    Case(
        "a file in inbox/ no kind takes",
        project(inbox={"nomad_T2.csv": b"x"}),
        warnings=(
            "warning: inbox/nomad_T2.csv: not ingested: named like a survey export, but no "
            "declared wave has that instrument and id. Expected one of nomad_T0.xlsx|csv, "
            "nomad_T1.xlsx|csv, pcat_VT2018.xlsx|csv, pcat_HT2018.xlsx|csv, "
            "indicators_*.csv|xlsx, codings_*.csv|xlsx|qdpx, roster_*.csv|xlsx. Hint: rename it, "
            "declare what it holds in project.yaml, or move it out of inbox/.",
            "ingest: done",
        ),
    ),
    Case(
        "a codings file without an interviews section",
        project(data=YAML[: YAML.index("interviews:")].encode(), inbox={"codings_r1.qdpx": b"x"}),
        warnings=(
            "warning: inbox/codings_r1.qdpx: not ingested: named like a codings file, but "
            "project.yaml declares no interviews. Expected one of nomad_T0.xlsx|csv, "
            "nomad_T1.xlsx|csv, pcat_VT2018.xlsx|csv, pcat_HT2018.xlsx|csv, "
            "indicators_*.csv|xlsx, roster_*.csv|xlsx. Hint: rename it, declare what it holds in "
            "project.yaml, or move it out of inbox/.",
            "ingest: done",
        ),
    ),
]
