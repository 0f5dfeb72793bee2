"""Interview codings for reuse: the documents and their coded segments.

Documents, speakers and segments carry release pseudonyms. The segment's text is left out unless
the release's ``text`` setting is ``redacted`` (the default of the internal profile): then the text
the store holds — already redacted at ingest — is released after a second pass of the redactor
with the project's names. The tool's code path is released redacted the same way.
"""

from __future__ import annotations

import pandas as pd

from privacy.redact import Redactor
from project.codebook import build_codebook
from project.config import Project
from releases.keys import ReleaseKey
from releases.model import Category, Column, ForeignKey, Table, both
from releases.survey import PSEUDONYM_PATTERN


def _segment(key: ReleaseKey, segment_id: str) -> str:
    """``<document pseudonym>:s<11 hex>``. The segment part starts with a letter: twelve bare hex
    characters are all digits now and then, and a digit run between separators can look like a
    personnummer to the release's own identifier scan."""
    document, _, _ = str(segment_id).partition(":")
    return f"{key.pseudonym(document)}:s{key.pseudonym(segment_id)[1:12]}"


def document_table(documents: pd.DataFrame, project: Project, key: ReleaseKey) -> Table:
    """``coding_documents``: one row per interview document."""
    cfg = project.interviews
    groups = tuple(Category(g.id, g.labels) for g in cfg.stakeholder_groups) if cfg else ()
    rounds = tuple(Category(r.id, r.labels) for r in cfg.rounds) if cfg else ()
    frame = documents.loc[:, ["document_id", "stakeholder_group", "round_id"]].copy()
    frame["document_id"] = frame["document_id"].map(key.pseudonym)
    frame = frame.drop_duplicates("document_id").sort_values("document_id")
    columns = (
        Column(
            "document_id",
            "string",
            both("Dokument (pseudonym)", "Document (pseudonym)"),
            required=True,
            pattern=PSEUDONYM_PATTERN,
        ),
        Column(
            "stakeholder_group",
            "string",
            both("Intressentgrupp", "Stakeholder group"),
            categories=groups,
        ),
        Column("round_id", "string", both("Intervjuomgång", "Interview round"), categories=rounds),
    )
    return Table(
        name="coding_documents",
        title=both("Intervjudokument", "Interview documents"),
        frame=frame.reset_index(drop=True),
        columns=columns,
        primary_key=("document_id",),
        person_key="document_id",
    )


def coding_table(
    codings: pd.DataFrame, project: Project, key: ReleaseKey, *, text: str, redactor: Redactor
) -> Table:
    """``codings``: one row per coded segment × coder × code."""
    frame = codings.copy()
    frame["segment_id"] = frame["segment_id"].map(lambda s: _segment(key, s))
    for column in ("document_id", "speaker_id"):
        frame[column] = frame[column].map(key.pseudonym)
    frame["code_path"] = frame["code_path"].map(redactor.redact)
    if text == "redacted":
        frame["segment_text"] = frame["segment_text"].map(redactor.redact)
    frame = frame.sort_values(["document_id", "segment_id", "coder", "code_path"], kind="stable")
    frame.insert(0, "coding_no", range(1, len(frame) + 1))
    frame["mapped"] = frame["mapped"].astype(bool)
    codebook = build_codebook(project.interviews) if project.interviews else None
    codes = tuple(Category(c.id, c.labels) for c in codebook.codes) if codebook else ()
    coders = (
        tuple(Category(c.id, both(c.id, c.id)) for c in project.interviews.coders)
        if project.interviews
        else ()
    )
    columns = [
        Column("coding_no", "integer", both("Kodningens nummer", "Coding number"), required=True),
        Column(
            "document_id",
            "string",
            both("Dokument (pseudonym)", "Document (pseudonym)"),
            required=True,
        ),
        Column(
            "segment_id",
            "string",
            both("Segment (pseudonym)", "Segment (pseudonym)"),
            required=True,
        ),
        Column("speaker_id", "string", both("Talare (pseudonym)", "Speaker (pseudonym)")),
        Column("coder", "string", both("Kodare", "Coder"), categories=coders),
        Column("code", "string", both("Kod i kodboken", "Codebook code"), categories=codes),
        Column("construct", "string", both("NPT-konstrukt", "NPT construct")),
        Column(
            "mapped", "boolean", both("Koden hittades i kodboken", "Code found in the codebook")
        ),
        Column(
            "code_path", "string", both("Verktygets kod (maskerad)", "The tool's code (redacted)")
        ),
        Column("stakeholder_group", "string", both("Intressentgrupp", "Stakeholder group")),
        Column("round_id", "string", both("Intervjuomgång", "Interview round")),
        Column("start_pos", "number", both("Segmentets början", "Segment start")),
        Column("end_pos", "number", both("Segmentets slut", "Segment end")),
        Column("position_unit", "string", both("Enhet för positionen", "Unit of the position")),
    ]
    if text == "redacted":
        columns.append(
            Column(
                "segment_text",
                "string",
                both("Segmentets text (maskerad)", "Segment text (redacted)"),
            )
        )
    table = Table(
        name="codings",
        title=both("Kodade intervjusegment", "Coded interview segments"),
        frame=frame.reset_index(drop=True),
        columns=tuple(columns),
        primary_key=("coding_no",),
        foreign_keys=(ForeignKey(("document_id",), "coding_documents", ("document_id",)),),
        person_key="document_id",
    )
    table.keep([c.name for c in columns])
    return table
