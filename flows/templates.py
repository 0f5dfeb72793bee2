"""``impleval init``: a new project folder with a commented project.yaml and narrative stubs.

The project.yaml shows every section. Lines starting with ``##`` explain; lines starting with ``#``
followed by a space are examples: removing that ``# `` (and nothing else) makes them part of the
file, and the whole file still loads (both are tested).
"""

from __future__ import annotations

from pathlib import Path

from project.errors import PipelineError

PROJECT_TEMPLATE = """\
## project.yaml — what this evaluation covers. Every key is listed in docs/project-yaml.md.
## Lines starting with ## explain. Lines starting with "# " are examples of optional sections:
## remove the "# " (and nothing else) to use one, then change it to fit your project.
## ids are short and stable: they end up in the data. Labels are what reports show.
id: my-evaluation                 # names the pseudonymisation key; never change it once data is in
name: {sv: Mitt projekt, en: My project}
synthetic: false                  # true for made-up data: reports then say so on the title page
funder: null                      # e.g. Europeiska socialfonden
case_id: null                     # the funder's diarienummer, on the report's cover
owner: null                       # the project owner (projektägare), on the report's cover
period: {start: 2026-01-01, end: 2027-12-31}
languages: [sv, en]

## -- who takes part ---------------------------------------------------------------------------
organisations:                    # as the export's Organisation / Enhet columns name them
  - id: hospital_a
    type: hospital
    labels: {sv: Sjukhus A, en: Hospital A}
    accept: [Sjukhuset A]         # further spellings seen in exports
    units:
      - {id: ward_1, labels: {sv: Avdelning 1, en: Ward 1}}
  - {id: health_centre_a, type: primary_care, labels: {sv: Hälsocentral A, en: Health centre A}}

staff_groups:                     # as the export's Yrkesgrupp column names them
  - {id: nurse, labels: {sv: Sjuksköterska, en: Registered nurse}}
  - {id: physician, labels: {sv: Läkare, en: Physician}, accept: [Doktor]}

## -- surveys: instruments and waves --------------------------------------------------------------
## Built in: nomad, s-nomad, pcat (docs/instruments.md). A project-local instruments/<id>/ folder
## adds or overrides one.
instruments:
  - nomad
  # - {id: pcat, variant: swedish-2}   # or reverse: [q8, q10] when your form reverse-keys items

waves:                            # exports dropped in inbox/ as <instrument>_<wave>.xlsx/.csv/.sav
  - id: T0
    instrument: nomad
    opens: 2026-03-01
    closes: 2026-03-31
    labels: {sv: "T0: före starten", en: "T0: before the start"}
    invited: 100                  # everyone asked; response rates are reported against it
    invited_by:                   # or per organisation × staff group (either may be left out)
      - {organisation: hospital_a, staff_group: nurse, invited: 60}
      - {organisation: hospital_a, staff_group: physician, invited: 15}
      - {organisation: health_centre_a, invited: 25}
    profile: generic              # export profile (docs/export-profiles.md): generic, spss, survey-tool, ...
  # - {id: T1, instrument: nomad, opens: 2027-03-01, closes: 2027-03-31, invited: 100}
  # - {id: VT2026, instrument: pcat, opens: 2026-04-06, closes: 2026-04-24, invited: 40}

## How survey results are flagged (these are the defaults).
# survey:
#   response_rate_threshold: 0.5
#   traffic_lights: {green: 0.75, yellow: 0.5}
#   reliability_min_n: 30

## -- invitations and reminders (impleval invite, waves, serve; docs/waves.md) -------------------
## A wave may add reminders: [7, 14] (days after opening, or dates) and survey_url: https://...
## Rosters (roster_<wave>.csv|xlsx in inbox/) give the invited; messages/<wave>/<kind>.<lang>.md.
# outreach:
#   smtp: {host: smtp.region.example, port: 587, sender: utvardering@region.example, tls: starttls}
#   send_time: "08:00"            # when the server sends scheduled invitations and reminders
#   timezone: Europe/Stockholm    # the password: IMPLEVAL_SMTP_PASSWORD or the keyring, never here

## -- privacy --------------------------------------------------------------------------------------
privacy:
  min_cell_size: 5                # groups smaller than this are suppressed in every table and figure
  free_text: redact               # or quarantine: a free-text answer naming a person keeps its row out
  # roster: staff_names.csv       # names (one a line) looked for in free text; relative to this folder
  # quasi_identifiers: [organisation, unit, staff_group, wave, submitted_at]   # for deposit releases
  # k_anonymity: 5                # every combination of them holds at least k people in a deposit

## -- dataset releases for reuse (impleval release; docs/releases.md) ------------------------------
# release:
#   licence: CC-BY-4.0            # CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0, CC-BY-NC-4.0, ODbL-1.0, PDDL-1.0
#   creators: [Utvärderingsbyrån AB]
#   max_suppressed_share: 0.05    # refuse a deposit that would drop more rows than this share

## -- where the analysis runs (docs/scale.md); impleval run --dask overrides ------------------------
# executor:
#   dask: local:2                 # a Dask scheduler tcp://HOST:PORT, or local:N worker processes

## -- the report -----------------------------------------------------------------------------------
report:
  language: sv                    # sv or en
  formats: [html, pdf, docx]
  evaluator: null                 # e.g. Utvärderingsbyrån AB
  kind: interim                   # interim, final or followup (impleval report --kind)
  # docx_template: funder.docx    # a Word file for the DOCX report's styles, page, footers
  # omitted:                      # the template's questions left out, and why (docs/reports.md)
  #   - {question: "P3", reason: "No public communication in the period."}

## -- key figures: indicators, participant outcomes, goals, activities (docs/indicators.md) ------
## Files named indicators_*.csv|xlsx in inbox/ hold the values.
# indicators:
#   - id: days_ready_for_discharge
#     labels: {sv: Vårddygn för utskrivningsklara, en: Days in hospital after ready for discharge}
#     measure: count              # count, proportion or mean
#     unit_of_measure: {sv: dygn, en: days}
#     direction: lower            # lower or higher is better
#     frequency: month            # month, quarter or year
#     baseline: {value: 1700, period: "2025, per månad"}
#     target: {relative: -0.5, deadline: 2027-12-31}   # or value: 850
#     intervention: 2026-06-01
#     observed: {start: 2024-01-01, end: 2027-12-31}
#     model: {type: its, family: quasipoisson}         # its, before_after or none
#   - id: plans_written
#     labels: {sv: Upprättade planer, en: Plans written}
#     measure: count
#     direction: higher
#     frequency: year
#     persons: true               # values count persons: the small-cell rule applies
#
# outcomes:                       # counts of persons per category, in the same files
#   - id: exit_destination
#     labels: {sv: Vart deltagarna gick, en: Where participants went}
#     categories:
#       - {id: work, labels: {sv: Arbete, en: Work}}
#       - {id: studies, labels: {sv: Studier, en: Studies}}
#       - {id: other, labels: {sv: Annat, en: Other}}
#     target: {categories: [work, studies], share: 0.5, deadline: 2027-12-31}
#
# goals:
#   - id: better_discharge
#     level: impact               # impact, project or sub_goal
#     labels: {sv: En trygg utskrivning, en: A safe discharge}
#   - id: fewer_days
#     level: sub_goal
#     parent: better_discharge
#     labels: {sv: Halverade vårddygn, en: Days halved}
#     indicator: days_ready_for_discharge
#   - id: staff_trained
#     level: sub_goal
#     parent: better_discharge
#     labels: {sv: All personal utbildad, en: All staff trained}
#     status: partly_reached      # the evaluator's judgement where no indicator measures it
#     evidence: {sv: Två av tre enheter utbildade., en: Two of three units trained.}
#
# activities:
#   - id: training
#     labels: {sv: Utbildning, en: Training}
#     goals: [staff_trained]
#     indicators: [plans_written]
#     period: {start: 2026-02-01, end: 2026-06-30}

## -- interviews: coded segments from NVivo, ATLAS.ti, MAXQDA or .qdpx (docs/interviews.md) ------
## Files named codings_*.csv|xlsx|qdpx in inbox/ hold the codings.
# interviews:
#   stakeholder_groups:
#     - {id: staff, labels: {sv: Personal, en: Staff}, speaker: {sv: Medarbetare, en: Staff member}}
#   rounds:
#     - {id: r1, labels: {sv: Omgång 1, en: Round 1}, start: 2026-09-01, end: 2026-10-31}
#   documents:                    # document name (regular expression) → group and round
#     - {match: "^Personal", stakeholder_group: staff, round: r1}
#   coders:                       # ids stored and reported; accept = user names in the exports
#     - {id: coder_a, accept: [Kodare A]}
#   project_codes:
#     - {id: it_support, labels: {sv: IT-stöd, en: IT support}, construct: collective_action}
#   code_map:                     # the tool's code path → codebook code
#     "Projektkoder > IT": it_support
#   redact_names: [Förnamn Efternamn]   # names to redact in quotes
#   roster: interview_names.csv   # more names, one a line; relative to this folder
"""

NARRATIVE_GUIDE = {
    "basic_information": (
        "Beskriv kort projektet: syfte, målgrupp, projektägare och samverkansparter, och "
        "utvärderingens uppdrag.",
        "Describe the project briefly: purpose, target group, project owner and partners, and "
        "the evaluation's remit.",
    ),
    "design": (
        "Hur utvärderingen lades upp och genomfördes: frågor, metoder, datakällor (enkäter, "
        "intervjuer, nyckeltal), urval och bortfall.",
        "How the evaluation was designed and carried out: questions, methods, data sources "
        "(surveys, interviews, key figures), samples and non-response.",
    ),
    "p1_project_logic": (
        "Projektlogiken: hur aktiviteter, mål och förväntade effekter hänger ihop, och om "
        "logiken höll under projektet.",
        "The project logic: how activities, goals and expected effects hang together, and "
        "whether the logic held during the project.",
    ),
    "p2_process": (
        "Processen: hur projektet styrdes och genomfördes, lärande och justeringar längs vägen.",
        "The process: how the project was steered and carried out, learning and adjustments "
        "along the way.",
    ),
    "p3_public_debate": (
        "Hur projektet och dess resultat har spridits och bidragit till den offentliga debatten.",
        "How the project and its results have been shared and have contributed to public debate.",
    ),
    "n1_key_activities": (
        "Nyckelaktiviteterna: vad som genomfördes, när och med vilket resultat.",
        "The key activities: what was done, when, and with what result.",
    ),
    "n2_key_persons": (
        "Vad nyckelpersoner (personal, styrgrupp, målgrupp) säger om arbetet; intervjuernas "
        "resultat följer efter texten.",
        "What key persons (staff, steering group, target group) say about the work; the "
        "interview results follow this text.",
    ),
    "n3_key_figures": (
        "Nyckeltalen: hur många eller hur stor andel som nåtts och vad de tycker; enkät- och "
        "indikatorresultat följer efter texten.",
        "Key figures: how many or what share were reached and what they think; survey and "
        "indicator results follow this text.",
    ),
    "summary": (
        "Utvärderarens samlade bedömning av resultat, hållbarhet och lärdomar.",
        "The evaluator's overall assessment of results, sustainability and lessons.",
    ),
}
"""What each report section's narrative is about (the sections of reports/templates/strings.yaml)."""

STUB = {
    "sv": "*Att skriva – ersätt den här raden med utvärderarens text: {guide}*\n",
    "en": "*To write – replace this line with the evaluator's text: {guide}*\n",
}


def narrative_stubs() -> dict[str, str]:
    """File name under ``narrative/`` → its stub: ``<section>.md`` (sv), ``<section>.en.md``."""
    from reports.strings import report_strings

    sections = report_strings("sv").raw("sections")
    stubs = {}
    for section in sections:
        sv, en = NARRATIVE_GUIDE[section]
        stubs[f"{section}.md"] = STUB["sv"].format(guide=sv)
        stubs[f"{section}.en.md"] = STUB["en"].format(guide=en)
    return stubs


def write_new_project(directory: Path) -> None:
    """Create ``directory`` with project.yaml, inbox/ and narrative/ stubs; never overwrite."""
    if (directory / "project.yaml").exists():
        raise PipelineError(
            f"{directory}/project.yaml already exists. Hint: edit it, or choose a new folder."
        )
    for sub in ("inbox", "narrative"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    (directory / "project.yaml").write_text(PROJECT_TEMPLATE, encoding="utf-8")
    for name, text in narrative_stubs().items():
        stub = directory / "narrative" / name
        if not stub.exists():
            stub.write_text(text, encoding="utf-8")
