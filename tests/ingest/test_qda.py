"""The NPT codebook, code mapping, export profiles and the REFI-QDA reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest.qda import detect_profile, load_coding_profile, read_codings
from project.codebook import build_codebook, code_mapper, load_npt_codebook, split_code_path
from project.errors import CodingsDataError
from project.interviews import InterviewsConfig
from tests.conftest import EXAMPLE

CFG = {
    "stakeholder_groups": [
        {"id": "staff", "labels": {"sv": "Personal", "en": "Staff"},
         "speaker": {"sv": "Medarbetare", "en": "Staff member"}}
    ],
    "rounds": [{"id": "r1", "labels": {"sv": "Omgång 1", "en": "Round 1"}}],
    "coders": [{"id": "a", "accept": ["Eva"]}],
    "project_codes": [
        {"id": "barriers", "labels": {"sv": "Hinder", "en": "Barriers"},
         "construct": "collective_action",
         "children": [{"id": "it", "labels": {"sv": "IT", "en": "IT"}}]}
    ],
    "code_map": {"Egna > Teknik": "it"},
}  # fmt: skip


def test_npt_codebook_has_4_constructs_and_16_sub_constructs() -> None:
    book = load_npt_codebook()
    assert [c.id for c in book.constructs()] == [
        "coherence", "cognitive_participation", "collective_action", "reflexive_monitoring"
    ]  # fmt: skip
    subs = [c for c in book.codes if c.level == "sub_construct"]
    assert len(subs) == 16
    assert all(c.definition and c.definition.sv and c.definition.en for c in book.codes)
    assert {c.short_code for c in subs} >= {"CODI", "CPEN", "CACI", "RMRC"}
    assert "May" in book.source and "CC BY 4.0" in book.source


def test_project_codes_inherit_construct_and_mapping() -> None:
    cfg = InterviewsConfig.model_validate(CFG)
    book = build_codebook(cfg)
    assert book.get("it").construct == "collective_action"
    assert book.get("it").parent == "barriers"
    mapper = code_mapper(book, cfg)
    assert mapper("NPT > Begriplighet (coherence) > Differentiering") == "codi"
    assert mapper("Codes > Coherence > CODI Differentiation") == "codi"
    assert mapper("Egna\\Teknik") == "it"  # explicit, any separator
    assert mapper("Egna > Teknik > Inloggning") == "it"  # children of a mapped path
    assert mapper("Övrigt > Att följa upp") is None


def test_config_is_strict() -> None:
    with pytest.raises(ValueError, match="is not a declared codebook code"):
        InterviewsConfig.model_validate({**CFG, "code_map": {"X": "nope"}})
    with pytest.raises(ValueError, match="extra"):
        InterviewsConfig.model_validate({**CFG, "colours": "red"})
    with pytest.raises(ValueError, match="round"):
        InterviewsConfig.model_validate(
            {**CFG, "documents": [{"match": "x", "stakeholder_group": "staff", "round": "r9"}]}
        )


def test_split_code_path() -> None:
    assert split_code_path("A\\B > C::D") == ["A", "B", "C", "D"]


def test_profiles_detected_from_headers() -> None:
    assert detect_profile(["Color", "Document group", "Document name", "Code", "Beginning",
                           "End", "Segment", "Created by"], "x").id == "maxqda"  # fmt: skip
    assert (
        detect_profile(["File", "Code", "Coded Text", "Coded By", "Start", "Length"], "x").id
        == "nvivo"
    )
    assert detect_profile(["ID", "Document", "Codes", "Content", "Created by", "Reference"],
                          "x").id == "atlasti"  # fmt: skip
    with pytest.raises(CodingsDataError, match="not those of a known"):
        detect_profile(["E-post", "CO1"], "x")


def test_nvivo_and_atlas_layouts(tmp_path: Path) -> None:
    nv = tmp_path / "nvivo.csv"
    nv.write_text(
        "File,Code,Coded Text,Coded By,Start,Length\n"
        "Int 1,Codes\\NPT\\Coherence\\Differentiation,Det är annorlunda nu,EL,10,20\n"
        "Int 1,Codes\\NPT\\Coherence,Bra,EL,x,3\n",
        encoding="utf-8",
    )
    seg = read_codings(nv)
    assert seg.profile == "nvivo"
    assert seg.frame["code_path"].tolist()[0] == "NPT > Coherence > Differentiation"
    assert seg.frame[["start", "end"]].iloc[0].tolist() == [10.0, 30.0]
    assert [p["rule"] for p in seg.problems] == ["bad_position"]
    at = tmp_path / "atlas.csv"
    at.write_text(
        "ID;Document;Codes;Content;Created by;Reference\n"
        '3:10;Int 3;"CO: Differentiering\nCA: Kontextuell integrering";Text här;EL;12 – 14\n',
        encoding="utf-8",
    )
    seg = read_codings(at)
    assert seg.profile == "atlasti" and seg.rows == 1 and len(seg.frame) == 2
    assert seg.frame["code_path"].tolist() == [
        "CO > Differentiering",
        "CA > Kontextuell integrering",
    ]
    assert seg.frame[["start", "end"]].iloc[0].tolist() == [12.0, 14.0]
    assert set(seg.frame["source_row"]) == {2}


def test_example_csv_and_qdpx_hold_the_same_codings() -> None:
    csv = read_codings(EXAMPLE / "inbox" / "codings_interviews.csv")
    qdpx = read_codings(EXAMPLE / "exports" / "codings_interviews.qdpx")
    assert csv.profile == "maxqda" and qdpx.profile == "qdpx"
    assert csv.rows == qdpx.rows == len(csv.frame) == len(qdpx.frame)
    cols = ["document", "code_path", "text", "coder"]
    a = csv.frame[cols].sort_values(cols).reset_index(drop=True)
    b = qdpx.frame[cols].sort_values(cols).reset_index(drop=True)
    assert a.equals(b)
    assert set(qdpx.frame["document_group"]) == {"Personal", "Styrgrupp", "Anhörigorganisationer"}


def test_qdpx_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CodingsDataError, match="zip"):
        read_codings(bad)
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("other.txt", "x")
    with pytest.raises(CodingsDataError, match=r"project\.qde"):
        read_codings(empty)


def test_bundled_profiles_load() -> None:
    for pid in ("maxqda", "nvivo", "atlasti"):
        prof = load_coding_profile(pid)
        assert set(prof.required) <= set(prof.columns)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Co-production", None),
        ("CA 20 min", None),
        ("Ca-betalning", None),
        ("CO: Differentiering", "codi"),
        ("CO: Något annat", "coherence"),
        ("Begriplighet", "coherence"),
        ("CODI Differentiering", "codi"),
        ("NPT\\\\Begriplighet\\\\Differentiering", "codi"),
    ],
)
def test_automatic_code_mapping_is_not_greedy(path: str, expected: str | None) -> None:
    from project.codebook import code_mapper, load_npt_codebook
    from project.config import load_project

    mapper = code_mapper(load_npt_codebook(), load_project(EXAMPLE).interviews)
    assert mapper(path) == expected
