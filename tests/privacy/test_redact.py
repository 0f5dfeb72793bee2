"""Redaction of segment text. Personnummer here are fake: their dates do not exist (month 13 or
day 99), but their check digits pass the Luhn test like real ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from privacy.redact import Redactor, luhn_valid, read_roster
from tests.conftest import REPO

FAKE_SHORT = "991332-1239"  # 13th month, 32nd day; Luhn-valid
FAKE_LONG = "199913321239"  # the same, twelve digits without separator
FAKE_OTHER = "001399-4561"  # day 99
BAD_CHECK = "991332-1230"  # shape of a personnummer, check digit wrong


def test_luhn() -> None:
    assert luhn_valid("9913321239")
    assert not luhn_valid("9913321230")


@pytest.mark.parametrize("number", [FAKE_SHORT, FAKE_LONG, FAKE_OTHER, "991332+1239"])
def test_personnummer_redacted(number: str) -> None:
    r = Redactor()
    assert r.redact(f"Patienten {number} kom hem.") == "Patienten [personnummer] kom hem."
    assert r.counts["personnummer"] == 1


def test_personnummer_shape_with_bad_check_still_hidden_but_plain_digits_kept() -> None:
    r = Redactor()
    assert r.redact(f"Nummer {BAD_CHECK}.") == "Nummer [nummer]."
    assert r.redact("Ärende 9913321230 stängt.") == "Ärende 9913321230 stängt."


def test_email_and_phone() -> None:
    r = Redactor()
    text = (
        "Mejla anna.test@example.org eller ring 070-174 06 21 / +46 70 174 06 22 / 08-465 004 01."
    )
    assert r.redact(text) == "Mejla [e-post] eller ring [telefon] / [telefon] / [telefon]."


def test_numbers_that_are_not_phones_stay() -> None:
    r = Redactor()
    text = "Från 1 700 till 700 dagar 2017–2018, 85 MSEK, 12 intervjuer."
    assert r.redact(text) == text


def test_names_whole_and_parts() -> None:
    r = Redactor(("Karin Sjöberg", "Per Berg"))
    out = r.redact(
        "Karin Sjöberg och KARIN SJÖBERG, sen Karins chef Berg; berget och berg stod kvar."
    )
    assert out == "[namn] och [namn], sen [namn] chef [namn]; berget och berg stod kvar."


def test_english_labels() -> None:
    assert Redactor(("Karin Sjöberg",), lang="en").redact("Karin Sjöberg") == "[name]"


def test_roster_formats(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("namn;roll\nKarin Sjöberg;ssk\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("# names\nPer Berg\n\nLisa Ek\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("förnamn,efternamn\nLisa,Ek\n", encoding="utf-8")
    assert read_roster(tmp_path / "a.csv") == ["Karin Sjöberg"]
    assert read_roster(tmp_path / "b.txt") == ["Per Berg", "Lisa Ek"]
    assert read_roster(tmp_path / "c.csv") == ["Lisa Ek"]


PNR_SHAPE = re.compile(r"\b(19|20)?[0-9]{6}[-+][0-9]{4}\b")


def test_nothing_personnummer_shaped_outside_tests() -> None:
    roots = ["codings", "analysis", "examples/discharge-planning", "docs"]
    hits = []
    for root in roots:
        for path in (REPO / root).rglob("*"):
            readable = path.is_file() and path.suffix in (".py", ".yaml", ".csv", ".md", ".txt")
            if readable and PNR_SHAPE.search(path.read_text(encoding="utf-8", errors="ignore")):
                hits.append(str(path.relative_to(REPO)))
    assert hits == []
