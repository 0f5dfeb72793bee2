"""The validation page's words in Swedish and English (the page follows ``report.language``).

:data:`validation.quarantine.RULES` says in English what each rule means (the quarantine file
and the command line use it); :data:`RULES_SV` says the same in Swedish, rule for rule.
"""

from __future__ import annotations

RULES_SV = {
    "missing_identifier": "svarandets id saknas",
    "duplicate_respondent": "samma svarande har svarat mer än en gång i mättillfället",
    "answered_in_other_part": "samma svarande svarade tidigare i en annan del av mättillfället, "
    "där det svaret räknas",
    "outside_wave_window": "inskickat utanför mättillfällets öppnings- och stängningsdatum",
    "bad_timestamp": "tidpunkten för svaret är inget datum",
    "unknown_label": "en svarsetikett som inte finns i instrumentets svarsskala",
    "not_a_number": "text där ett tal väntades",
    "non_finite_number": "NaN eller oändligt värde där ett ändligt tal väntades",
    "out_of_set": "en svarskod utanför svarsskalan",
    "unknown_organisation": "en organisation som inte finns i project.yaml",
    "unknown_unit": "en enhet som inte finns i project.yaml",
    "unknown_staff_group": "en yrkesgrupp som inte finns i project.yaml",
    "empty_response": "ingen fråga besvarad",
    "unknown_item": "en rad i en lång export för en fråga som instrumentet inte har",
    "duplicate_answer": "ett andra svar på samma fråga från samma svarande (lång export)",
    "identifying_free_text": "ett fritextsvar med personnummer, e-postadress, telefonnummer "
    "eller namn",
    "unknown_indicator": "en indikator som inte finns i projektets indikatorregister",
    "irregular_period": "en period som inte är skriven enligt indikatorns frekvens (ÅÅÅÅ-MM, "
    "ÅÅÅÅ-Qn, ÅÅÅÅ)",
    "period_outside_project": "en period utanför indikatorns mätperiod",
    "duplicate_period": "samma indikator (eller utfallskategori), enhet, period och uppdelning "
    "mer än en gång",
    "negative_value": "ett negativt värde (antal, andelar och medelvärden är här aldrig negativa)",
    "nonpositive_denominator": "en nämnare som är noll eller negativ",
    "missing_denominator": "ingen nämnare där indikatorn kräver en",
    "numerator_exceeds_denominator": "fler fall med egenskapen än fall",
    "undeclared_disaggregation": "ett uppdelningsvärde i en kolumn som indikatorn inte deklarerar",
    "missing_category": "en utfallsrad utan kategori",
    "unknown_category": "en utfallskategori som inte är deklarerad för utfallet i project.yaml",
    "unexpected_category": "en kategori på en indikatorrad (kategorier hör till utfall)",
    "non_integer_count": "ett antal personer som inte är ett heltal",
    "missing_document": "ett kodat segment utan dokumentnamn",
    "missing_segment_text": "ett kodat segment utan text",
    "missing_code": "en kodning utan kod",
    "unknown_coder": "en kodare som inte finns under interviews.coders",
    "unassigned_document": "ett dokument som ingen regel under interviews.documents ger en "
    "intressentgrupp och omgång",
    "unknown_stakeholder_group": "en intressentgrupp som inte finns under interviews",
    "unknown_round": "en datainsamlingsomgång som inte finns under interviews",
    "bad_position": "en segmentposition som inte är ett tal, är negativ eller slutar före sin "
    "början",
    "duplicate_coding": "samma kodare har satt samma kod på samma segment två gånger",
}

PAGE: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Validering: {target}",
        "file": "Fil",
        "counts": "<strong>{read}</strong> rader lästa = <strong>{loaded}</strong> inlästa + "
        "<strong>{quarantined}</strong> i karantän.",
        "all_loaded": "Alla rader lästes in.",
        "quarantined": "{n} rad(er) i karantän; de finns inte i databasen.",
        "rules": "Regler",
        "rule": "regel",
        "meaning": "betydelse",
        "rows": "rader",
        "quarantined_rows": "Rader i karantän",
        "row_numbers": "Radnumren är filens egna (i ett kalkylark eller en CSV-fil är rubrikraden "
        "rad 1).",
        "row": "rad",
        "column": "kolumn",
        "detail": "detalj",
        "more": "… och {n} till i quarantine.csv.",
    },
    "en": {
        "title": "Validation: {target}",
        "file": "File",
        "counts": "<strong>{read}</strong> rows read = <strong>{loaded}</strong> loaded + "
        "<strong>{quarantined}</strong> quarantined.",
        "all_loaded": "Every row loaded.",
        "quarantined": "{n} row(s) quarantined; they are not in the store.",
        "rules": "Rules",
        "rule": "rule",
        "meaning": "meaning",
        "rows": "rows",
        "quarantined_rows": "Quarantined rows",
        "row_numbers": "Row numbers are those in the file (in a spreadsheet or CSV the header is "
        "row 1).",
        "row": "row",
        "column": "column",
        "detail": "detail",
        "more": "… and {n} more in quarantine.csv.",
    },
}
"""The page's words per language (``counts`` is HTML with numbers only)."""

STATUS: dict[str, dict[str, str]] = {
    "sv": {
        "loaded": "inläst",
        "already_loaded": "redan inläst",
        "replaced_since": "ersatt sedan dess",
        "dry_run": "provkörning",
    },
    "en": {
        "loaded": "loaded",
        "already_loaded": "already loaded",
        "replaced_since": "replaced since",
        "dry_run": "dry run",
    },
}
"""An ingest's status as the page says it."""
