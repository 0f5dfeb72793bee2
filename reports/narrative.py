"""The evaluator's narrative beyond the nine sections, and what is missing from it.

``narrative/`` holds one file per section of the funder's template (``<section>.md`` in Swedish,
``<section>.<lang>.md`` otherwise, :func:`reports.document.narrative_file`) and three more:

- ``conclusions`` and ``recommendations``: what a final report concludes and recommends (the
  template asks a final report for both; they close section 9);
- ``omitted``: the template's questions the report leaves out, and why (or ``report.omitted`` in
  project.yaml, a list of ``{question, reason}``).

:func:`audit_narrative` names the sections whose text is missing (the report shows a placeholder
for each) and the files in ``narrative/`` the report does not know (a misspelt ``process.md`` is
otherwise ignored without a word); the report stage says them on the terminal, writes them in the
manifest and, with ``--strict``, refuses to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from project.config import Project
from project.labels import in_language
from reports.content import SECTION_IDS
from reports.strings import LANGUAGES

FINAL_SECTIONS = ("conclusions", "recommendations")
"""Narrative a final report adds to section 9."""
OMITTED = "omitted"
"""The narrative file with the template's questions left out, and why."""


def narrative_name(section: str, lang: str) -> str:
    """The file a section's narrative is read from (``narrative/…``)."""
    return f"narrative/{section}.md" if lang == "sv" else f"narrative/{section}.{lang}.md"


def known_files() -> set[str]:
    """Every file name the report reads from ``narrative/``."""
    names = {*SECTION_IDS, *FINAL_SECTIONS, OMITTED}
    return {f"{n}.md" for n in names} | {f"{n}.{lang}.md" for n in names for lang in LANGUAGES}


@dataclass(frozen=True)
class NarrativeAudit:
    """What the report lacks: ``missing`` files (the sections shown as "text missing") and
    ``unknown`` files in ``narrative/`` that the report does not read."""

    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """One line per gap, for the terminal."""
        out = []
        if self.missing:
            out.append(
                f"narrative missing ({len(self.missing)}), shown as a placeholder: "
                f"{', '.join(self.missing)}"
            )
        if self.unknown:
            out.append(
                f"narrative files not used (unknown names): {', '.join(self.unknown)}. Hint: "
                f"name them after a report section, e.g. narrative/p2_process.md"
            )
        return out

    def as_dict(self) -> dict[str, list[str]]:
        return {"missing": list(self.missing), "unknown": list(self.unknown)}


def audit_narrative(narrative_dir: Path, *, lang: str, kind: str) -> NarrativeAudit:
    """The narrative files a report of ``kind`` in ``lang`` misses, and the unknown ones."""
    from reports.document import narrative_file  # the document reads them; one rule for both

    folder = Path(narrative_dir)
    wanted = [*SECTION_IDS, *(FINAL_SECTIONS if kind == "final" else ())]
    missing = tuple(
        narrative_name(s, lang) for s in wanted if narrative_file(folder, s, lang) is None
    )
    present = sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []
    unknown = tuple(f"narrative/{n}" for n in present if n not in known_files())
    return NarrativeAudit(missing, unknown)


def omitted_markdown(project: Project, narrative_dir: Path, *, lang: str) -> str | None:
    """The template's questions left out and why: ``narrative/omitted.md`` (as written), else
    ``report.omitted`` of project.yaml as a list; ``None`` when neither says anything."""
    from reports.document import read_narrative
    from reports.writer import escape

    text, path = read_narrative(narrative_dir, OMITTED, lang)
    if path is not None:
        return text
    if not project.report.omitted:
        return None
    return "\n".join(
        f"- **{escape(in_language(q.question, lang))}** – {escape(in_language(q.reason, lang))}"
        for q in project.report.omitted
    )
