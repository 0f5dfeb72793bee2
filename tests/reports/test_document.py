"""The report's Markdown: the funder's nine sections, narrative, survey results, small cells."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from project.errors import ResultsFileError
from reports import disclosure
from reports.build import ReportRequest, draft_report
from reports.content import SECTION_IDS, SectionBuilder, SectionContent, Text
from reports.document import demote_headings, read_narrative
from reports.escaping import Markdown
from reports.results import Results
from reports.sections import SECTION_BUILDERS
from reports.strings import report_strings

SV_HEADINGS = [
    "1. Grundinformation",
    "2. Utvärderingens upplägg och genomförande",
    "3. P1 – Projektlogiken",
    "4. P2 – Processen",
    "5. P3 – Offentlig debatt",  # the funder's template says "Public debate", in English
    "6. N1 – Nyckelaktiviteter",
    "7. N2 – Nyckelpersoner",
    "8. N3 – Nyckeltal",
    "9. Sammanfattande kommentar och analys",
]
EN_HEADINGS = [
    "1. Basic information",
    "2. Design and conduct of the evaluation",
    "3. P1 – Project logic",
    "4. P2 – Process",
    "5. P3 – Public debate",
    "6. N1 – Key activities",
    "7. N2 – Key persons",
    "8. N3 – Key figures",
    "9. Summary and analysis",
]


def draft(project, spec, *, results_dir: Path, narrative_dir: Path, lang: str, builders=None):
    """The report's Markdown without writing a file."""
    request = ReportRequest(
        project=project,
        project_dir=narrative_dir.parent,
        specs=[spec],
        results_dir=results_dir,
        narrative_dir=narrative_dir,
        lang=lang,
    )
    built = draft_report(request, builders=builders or SECTION_BUILDERS)
    return built.markdown, list(built.narrative)


def level1(markdown: str) -> list[str]:
    """Level-1 headings outside code blocks, without their attributes."""
    body = markdown.split("\n---\n", 1)[1]  # after the YAML front matter
    found, in_code = [], False
    for line in body.splitlines():
        if line.startswith(("```", "~~~")):
            in_code = not in_code
        elif not in_code and line.startswith("# "):
            found.append(re.sub(r"\s*\{#[^}]*\}\s*$", "", line[2:]).strip())
    return found


def section(markdown: str, number: int) -> str:
    """The text of section ``number`` (1–9), up to the next section or the appendix."""
    start = markdown.index(f"\n# {number}. ")
    ends = [markdown.find(m, start + 1) for m in (f"\n# {number + 1}. ", "\n# Stat")]
    ends = [e for e in ends if e != -1]
    return markdown[start : min(ends) if ends else None]


def table_rows(markdown: str, first_cell: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(f"| {first_cell} |")]


@pytest.fixture(scope="module")
def md_sv(report_sv) -> str:
    return report_sv.markdown.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def md_en(report_en) -> str:
    return report_en.markdown.read_text(encoding="utf-8")


def test_nine_sections_in_order(md_sv, md_en):
    assert level1(md_sv) == [*SV_HEADINGS, "Statistisk bilaga"]
    assert level1(md_en) == [*EN_HEADINGS, "Statistical appendix"]


def test_headings_come_from_the_strings_for_every_section():
    for lang, expected in (("sv", SV_HEADINGS), ("en", EN_HEADINGS)):
        s = report_strings(lang)
        assert [s(f"sections.{sid}") for sid in SECTION_IDS] == expected


def test_title_block(md_sv, project):
    front = md_sv.split("\n---\n", 1)[0]
    assert f"title: {project.name.sv}" in front
    assert "subtitle: Slutrapport – löpande utvärdering" in front
    assert "date: '2026-11-23'" in front
    assert "Testutvärdering AB (fiktiv)" in front
    assert "lang: sv" in front
    assert "Syntetiskt exempel – inga verkliga personer" in md_sv


def test_narrative_and_placeholders(md_sv, md_en):
    # Present in Swedish (narrative/<section>.md), headings pushed under the section heading.
    assert "utvärderarens egen text med å, ä och ö" in section(md_sv, 1)
    p1 = section(md_sv, 3)
    assert "\n## Bakgrund och syfte\n" in p1
    assert "# detta är ingen rubrik" in p1  # a code block is left alone
    # Absent: a visible placeholder naming the file to write.
    assert "**Text saknas** – skriv den i `narrative/design.md`." in section(md_sv, 2)
    # English uses <section>.en.md only; the Swedish files are not used for it.
    assert "written in English for the English report" in section(md_en, 9)
    assert "å, ä och ö" not in md_en
    assert "**Text missing** – write it in `narrative/basic_information.en.md`." in section(
        md_en, 1
    )


def test_narrative_file_preference(tmp_path):
    (tmp_path / "summary.md").write_text("svensk", encoding="utf-8")
    (tmp_path / "summary.sv.md").write_text("svensk, uttryckligen", encoding="utf-8")
    assert read_narrative(tmp_path, "summary", "sv")[0] == "svensk, uttryckligen"
    text, path = read_narrative(tmp_path, "summary", "en")
    assert path is None and "summary.en.md" in text


def test_demote_headings():
    assert demote_headings("# A\n## B\n~~~\n# c\n~~~") == "## A\n### B\n~~~\n# c\n~~~"


def test_survey_results_sit_under_n3(md_sv):
    n3 = section(md_sv, 8)
    for heading in (
        "## Personalenkät: NoMAD",
        "### Svar per mättillfälle",
        "### Medelvärden per NPT-konstrukt",
        "### Allmänna frågor (G1, G2 och G3)",
        "### Svarsfördelning per påstående",
        "### Medelvärden per yrkesgrupp",
    ):
        assert heading in n3
    assert "](../figures/nomad_construct_means_sv.png)" in n3
    assert "](../figures/nomad_item_distributions_T0_sv.png)" in n3
    assert "Personalenkät" not in section(md_sv, 7)


def test_swedish_numbers_in_tables(md_sv, scale_scores):
    overall = scale_scores.query("group_by == 'all' and scale == 'coherence' and wave == 'T0'")
    row = overall.iloc[0]
    mean = disclosure.format_number(row["mean"], decimals=2, lang="sv")
    ci = disclosure.format_ci(row["ci_low"], row["ci_high"], lang="sv")
    assert "," in mean
    line = next(ln for ln in md_sv.splitlines() if ln.startswith("| Begriplighet (coherence) | T0"))
    assert f"| {mean} |" in line and f"| {ci} |" in line
    assert f"{row['mean']:.2f}" not in md_sv  # never a decimal point


def test_response_accounting(md_sv):
    rows = table_rows(md_sv, "T0: före piloten")
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[2:6] == ["262", "52", "50", "2"]  # invited, read, loaded, quarantined
    assert cells[6] == "19\u00a0%"
    assert "1 där samma person svarat mer än en gång" in md_sv


def test_small_group_never_shown(md_sv, md_en, scale_scores, project):
    threshold = project.privacy.min_cell_size
    small = scale_scores.query("group_by == 'staff_group' and group == 'unit_manager'")
    assert (small["n"] < threshold).all() and (small["n"] > 0).all()
    for md, lang, label in ((md_sv, "sv", "Enhetschef"), (md_en, "en", "Unit manager")):
        rows = table_rows(md, label)
        assert len(rows) == 2  # one per wave, both blanked
        for row in rows:
            assert row.count(f"– (\\<{threshold})") == 4  # "<" escaped: shown as it is
            for _, r in small.iterrows():
                for value in (r["mean"], r["sd"], r["ci_low"], r["ci_high"]):
                    assert disclosure.format_number(value, decimals=2, lang=lang) not in row
        assert "(3)" not in md and "(2)" not in md  # no small n is printed
        assert disclosure.suppression_note(threshold, lang=lang) in md


def test_complementary_suppression_in_report(md_sv, scale_scores):
    # T0: unit managers (3) are hidden, so the smallest other group (occupational therapists,
    # 5) is hidden too wherever the hidden respondents number fewer than 5; its n is hidden as
    # well, since the groups' n add up to everyone's (the table of construct means states it).
    row = next(r for r in table_rows(md_sv, "Arbetsterapeut") if "| T0 |" in r)
    assert "– (–)" in row and "(5)" in row  # hidden for one construct, shown for another


def test_statistical_appendix(md_sv, project, spec):
    appendix = md_sv[md_sv.index("\n# Statistisk bilaga") :]
    assert "## Reliabilitet" in appendix
    assert "Cronbachs alfa (listvis bortfall), 95 % KI enligt Feldt" in appendix
    assert "| 0,70 | 0,48–0,84 |" in appendix
    assert "minst 3 av 4 (Begriplighet (coherence))" in appendix
    assert "5 av 7 (Kollektivt handlande)" in appendix
    assert "Påståendet CA2 är omvänt formulerat" in appendix
    assert "”Inte relevant för min roll”" in appendix
    assert f"färre än {project.privacy.min_cell_size} svarande" in appendix


def test_captions_carry_no_numbers(md_sv, md_en):
    for md in (md_sv, md_en):
        captions = [ln for ln in md.splitlines() if ln.startswith(": ")]
        assert len(captions) >= 6
        assert not [c for c in captions if re.match(r": (Tabell|Table|Figur|Figure) \d", c)]
        assert not re.search(r"!\[(Figur|Figure) \d", md)


def test_missing_results_leave_a_note(tmp_path, project, spec):
    narrative = tmp_path / "narrative"
    narrative.mkdir()
    md, used = draft(
        project, spec, results_dir=tmp_path / "results", narrative_dir=narrative, lang="sv"
    )
    assert used == []
    assert level1(md) == SV_HEADINGS
    assert report_strings("sv")("survey.no_results") in section(md, 8)


def test_results_file_with_missing_columns(tmp_path, results_dir):
    shutil.copytree(results_dir, tmp_path / "results")
    df = pd.read_csv(tmp_path / "results" / "scale_scores.csv").drop(columns=["ci_low"])
    df.to_csv(tmp_path / "results" / "scale_scores.csv", index=False)
    with pytest.raises(ResultsFileError, match=r"scale_scores\.csv: missing columns ci_low"):
        Results(tmp_path / "results").table("scale_scores")


def test_outputs_listed(report_sv):
    files = report_sv.files
    assert files[0] == report_sv.markdown and files[-1] == report_sv.manifest
    assert all(Path(p).is_file() for p in files)
    assert len(report_sv.figures) == 3  # construct means, distributions T0 and T1


def test_every_quarantine_rule_has_words_in_both_languages():
    from reports.strings import report_strings
    from validation.quarantine import RULES

    for lang in ("sv", "en"):
        s = report_strings(lang)
        for rule in RULES:
            assert "{n}" in s.raw(f"quarantine_rules.{rule}"), (lang, rule)


def test_section_content_from_other_stages_lands_in_its_section(project, spec, project_dir):
    extra = [
        SectionContent("p1_project_logic", (Text(Markdown("## Logikmodell\n\nGenererad logik.")),)),
        SectionContent("appendix", (Text(Markdown("## ITS-modeller\n\nModelldetaljer.")),)),
    ]
    builder = SectionBuilder("extra", lambda project: True, lambda context: extra)
    md, _ = draft(
        project,
        spec,
        results_dir=project_dir / "output" / "results",
        narrative_dir=project_dir / "narrative",
        lang="sv",
        builders=(*SECTION_BUILDERS, builder),
    )
    p1 = md.index("# 3. P1")
    p2 = md.index("# 4. P2")
    assert p1 < md.index("## Logikmodell") < p2
    appendix = md.index("# Statistisk bilaga")
    assert md.index("## Reliabilitet") < md.index("## ITS-modeller")
    assert appendix < md.index("## ITS-modeller")


def test_section_content_checks_its_section():
    with pytest.raises(ValueError, match="unknown report section 'n4'"):
        SectionContent("n4", (Text("x"),))


def test_negative_item_rest_correlation_is_flagged(project, spec, project_dir, tmp_path):
    results_dir = tmp_path / "results"
    shutil.copytree(project_dir / "output" / "results", results_dir)
    pd.DataFrame(
        {
            "instrument": ["nomad", "nomad"],
            "wave": ["T0", "T0"],
            "scale": ["collective_action"] * 2,
            "item": ["ca2", "ca3"],
            "n": [40, 40],
            "r_item_rest": [-0.31, 0.52],
            "alpha_if_deleted": [0.74, 0.61],
            "method": ["item-rest correlation (Pearson)"] * 2,
        }
    ).to_csv(results_dir / "item_statistics.csv", index=False)
    md, _ = draft(
        project, spec, results_dir=results_dir, narrative_dir=project_dir / "narrative", lang="sv"
    )
    text = " ".join(md.split())
    assert "påstående CA2 korrelerar negativt med resten av skalan" in text
    assert "(r = −0,31)" in text  # typographic minus, Swedish decimal comma
    assert "CA3 korrelerar" not in text
