"""Every heading, caption and table header of a report in the report's language: the Swedish
report (PDF, HTML, DOCX, read back as text) holds none of the English ones, the English PDF none of
the Swedish ones, and the check finds them where they are (each report holds its own)."""

from __future__ import annotations

from tests.reports.language_left import docx_text, html_text, left_in, pdf_text


def test_the_swedish_report_has_no_english_heading_in_any_format(report_sv) -> None:
    texts = {
        "pdf": pdf_text(report_sv.pdf),
        "html": html_text(report_sv.html),
        "docx": docx_text(report_sv.docx),
    }
    for fmt, text in texts.items():
        assert left_in(text, "sv") == [], fmt
        assert len(left_in(text, "en")) >= 10, fmt  # its own headings, found by the same check


def test_the_english_report_has_no_swedish_heading(report_en) -> None:
    text = pdf_text(report_en.pdf)
    assert left_in(text, "en") == []
    assert len(left_in(text, "sv")) >= 10
