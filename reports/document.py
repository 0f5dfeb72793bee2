"""The report's Markdown: the funder's nine sections, the evaluator's narrative and the
generated content of every kind, arranged by a Jinja2 template. This module knows sections, not
kinds.

The report follows Tillväxtverket's template for the final report of an ongoing evaluation
(``shared/seeds/000_*``): nine numbered sections, each opened by the evaluator's own text from
``narrative/<section>.<lang>.md`` (or ``narrative/<section>.md`` for Swedish), then a statistical
appendix. Generated content arrives as :class:`reports.content.SectionContent` from the section
builders (:mod:`reports.sections`) and goes where its ``section`` and ``order`` say: before the
narrative (negative order) or after it; the writer (:mod:`reports.writer`) turns its blocks into
Markdown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from project.config import Project
from reports.content import APPENDIX, SECTION_IDS, FigureBlock, SectionContent
from reports.strings import TEMPLATES_DIR, Strings, report_strings
from reports.writer import Markdown, blocks_markdown, escape

__all__ = [
    "SECTION_IDS",
    "assemble_markdown",
    "demote_headings",
    "narrative_file",
    "read_narrative",
]

TEMPLATE = "report.md.j2"


def narrative_file(narrative_dir: Path, section: str, lang: str) -> Path | None:
    """The evaluator's text for a section: ``<section>.<lang>.md``, else ``<section>.md`` (sv)."""
    candidates = [Path(narrative_dir) / f"{section}.{lang}.md"]
    if lang == "sv":
        candidates.append(Path(narrative_dir) / f"{section}.md")
    return next((p for p in candidates if p.is_file()), None)


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^(\s{0,3})(#{1,5})(\s|$)")


def demote_headings(markdown: str, *, by: int = 1) -> str:
    """Push the narrative's ATX headings down ``by`` levels so they sit under the section heading.

    >>> demote_headings("# Bakgrund\\ntext\\n```\\n# kod\\n```")
    '## Bakgrund\\ntext\\n```\\n# kod\\n```'
    """
    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)[0] * 3
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
        elif fence is None:
            h = _ATX.match(line)
            if h:
                level = min(6, len(h.group(2)) + by)
                line = h.group(1) + "#" * level + line[h.end(2) :]
        out.append(line)
    return "\n".join(out)


def read_narrative(
    narrative_dir: Path, section: str, lang: str, *, strings: Strings | None = None
) -> tuple[str, Path | None]:
    """The section's narrative Markdown (headings demoted), or a visible placeholder.

    Returns
    -------
    (text, path)
        ``path`` is ``None`` when the placeholder was used.
    """
    s = strings or report_strings(lang)
    path = narrative_file(narrative_dir, section, lang)
    if path is None:
        wanted = f"narrative/{section}.md" if lang == "sv" else f"narrative/{section}.{lang}.md"
        # the file name goes into a code span, where a backslash would show: it is ours, not data
        return f"> {s('placeholder', path=Markdown(wanted))}", None
    text = path.read_text(encoding="utf-8-sig").strip()
    return demote_headings(text), path


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,  # Markdown, not HTML; every value is prepared in Python
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _anchor(ident: str, *classes: str) -> str:
    return "{#" + ident + "".join(f" .{c}" for c in classes) + "}"


def front_matter(project: Project, *, s: Strings, report_date: dt.date) -> str:
    """The title block: project name, report kind, date, language, evaluator.

    pandoc reads metadata values as Markdown, so the project's name and the evaluator (data) are
    escaped like every other data string."""
    meta: dict[str, object] = {
        "title": str(escape(project.name.get(s.lang))),
        "subtitle": str(s(f"report_kind.{project.report.kind}")),
        "date": report_date.isoformat(),
        "lang": s.lang,
    }
    if project.report.evaluator:
        meta["author"] = [str(escape(project.report.evaluator))]
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()


def _placed(contents: Sequence[SectionContent], section: str) -> list[SectionContent]:
    """A section's contents in their order (stable: builders' order for equal orders)."""
    return sorted((c for c in contents if c.section == section), key=lambda c: c.order)


def assemble_markdown(
    project: Project,
    *,
    lang: str,
    contents: Sequence[SectionContent],
    narrative_dir: Path,
    figure_ref: Callable[[FigureBlock], str],
    report_date: dt.date,
) -> tuple[str, list[Path]]:
    """The report's Markdown and the narrative files it used.

    Parameters
    ----------
    contents
        Generated content of every section and the appendix, in the builders' order.
    figure_ref
        How the Markdown refers to a figure's file (relative to where the Markdown is written).
    """
    s = report_strings(lang)
    used: list[Path] = []
    sections = []
    for section_id in SECTION_IDS:
        text, path = read_narrative(narrative_dir, section_id, lang, strings=s)
        if path is not None:
            used.append(path)
        placed = _placed(contents, section_id)
        sections.append(
            {
                "id": section_id,
                "title": s(f"sections.{section_id}"),
                "narrative": text,
                "before": [blocks_markdown(c.blocks, figure_ref) for c in placed if c.order < 0],
                "after": [blocks_markdown(c.blocks, figure_ref) for c in placed if c.order >= 0],
            }
        )
    appendix = [blocks_markdown(c.blocks, figure_ref) for c in _placed(contents, APPENDIX)]
    markdown = (
        _environment()
        .get_template(TEMPLATE)
        .render(
            front_matter=front_matter(project, s=s, report_date=report_date),
            synthetic=project.synthetic,
            sections=sections,
            appendix=[a for a in appendix if a],
            t=s,
            anchor=_anchor,
        )
    )
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n", used
