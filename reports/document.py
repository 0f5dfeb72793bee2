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
from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from project.config import Project
from project.labels import in_language
from reports.content import APPENDIX, SECTION_IDS, FigureBlock, SectionContent
from reports.narrative import FINAL_SECTIONS, OMITTED, omitted_markdown
from reports.strings import TEMPLATES_DIR, Strings, report_strings
from reports.writer import Markdown, blocks_markdown, escape

__all__ = [
    "SECTION_IDS",
    "Cover",
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


@dataclass(frozen=True)
class Cover:
    """What the cover says beyond project.yaml: the report's kind, data cut-off, date and the
    organisation it is for (``None``: the whole project)."""

    kind: str
    report_date: dt.date
    cutoff: dt.date | None = None
    organisation: str | None = None


def front_matter(project: Project, *, s: Strings, cover: Cover) -> str:
    """The title block: project name, report kind, date, language, evaluator.

    pandoc reads metadata values as Markdown, so the project's name, the organisation and the
    evaluator (data) are escaped like every other data string."""
    subtitle = str(s(f"report_kind.{cover.kind}"))  # plain str: YAML knows no Markdown type
    if cover.organisation:
        subtitle += " – " + str(escape(project.organisation_label(cover.organisation, s.lang)))
    meta: dict[str, object] = {
        "title": str(escape(project.name.get(s.lang))),
        "subtitle": subtitle,
        "date": cover.report_date.isoformat(),
        "lang": s.lang,
        "toc-title": str(s("cover.contents")),
    }
    if project.report.evaluator:
        meta["author"] = [str(escape(in_language(project.report.evaluator, s.lang)))]
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()


def cover_facts(project: Project, *, s: Strings, cover: Cover) -> list[tuple[str, str]]:
    """The cover's facts (label, value): project, case id, owner, period, funder, evaluator,
    kind, cut-off, date; the organisation for a per-organisation report."""
    period = f"{project.period.start} – {project.period.end}" if project.period else None
    facts = [
        ("project", project.name.get(s.lang)),
        ("case_id", project.case_id),
        ("owner", in_language(project.owner, s.lang)),
        ("period", period),
        ("funder", in_language(project.funder, s.lang)),
        ("evaluator", in_language(project.report.evaluator, s.lang)),
        (
            "organisation",
            cover.organisation and project.organisation_label(cover.organisation, s.lang),
        ),
        ("kind", s(f"report_kind.{cover.kind}")),
        ("cutoff", cover.cutoff.isoformat() if cover.cutoff else s("cover.no_cutoff")),
        ("date", cover.report_date.isoformat()),
    ]
    return [(s(f"cover.{key}"), escape(value)) for key, value in facts if value]


def contents_entries(s: Strings, *, extra: Sequence[str] = ()) -> list[str]:
    """The level-1 headings, for the table of contents Word fills in on opening."""
    return [s(f"sections.{i}") for i in SECTION_IDS] + list(extra)


def _placed(contents: Sequence[SectionContent], section: str) -> list[SectionContent]:
    """A section's contents in their order (stable: builders' order for equal orders)."""
    return sorted((c for c in contents if c.section == section), key=lambda c: c.order)


def _final_narrative(narrative_dir: Path, s: Strings, used: list[Path]) -> list[dict[str, str]]:
    """Conclusions and recommendations, which close section 9 of a final report."""
    parts = []
    for name in FINAL_SECTIONS:
        text, path = read_narrative(narrative_dir, name, s.lang, strings=s)
        if path is not None:
            used.append(path)
        parts.append({"title": s(f"final.{name}"), "text": demote_headings(text, by=1)})
    return parts


def assemble_markdown(
    project: Project,
    *,
    lang: str,
    contents: Sequence[SectionContent],
    narrative_dir: Path,
    figure_ref: Callable[[FigureBlock], str],
    cover: Cover,
) -> tuple[str, list[Path]]:
    """The report's Markdown and the narrative files it used.

    Parameters
    ----------
    contents
        Generated content of every section and the appendix, in the builders' order.
    figure_ref
        How the Markdown refers to a figure's file (relative to where the Markdown is written).
    cover
        The report's kind, cut-off, date and organisation (the cover and the title block).
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
    final = _final_narrative(narrative_dir, s, used) if cover.kind == "final" else []
    omitted = omitted_markdown(project, narrative_dir, lang=lang)
    omitted_path = narrative_file(narrative_dir, OMITTED, lang)
    if omitted_path is not None:
        used.append(omitted_path)
    appendix = [blocks_markdown(c.blocks, figure_ref) for c in _placed(contents, APPENDIX)]
    extra = [s("omitted.heading")] if omitted else []
    markdown = (
        _environment()
        .get_template(TEMPLATE)
        .render(
            front_matter=front_matter(project, s=s, cover=cover),
            cover=cover_facts(project, s=s, cover=cover),
            contents=contents_entries(s, extra=[*extra, s("appendix")] if appendix else extra),
            synthetic=project.synthetic,
            sections=sections,
            final=final,
            omitted=omitted,
            appendix=[a for a in appendix if a],
            t=s,
            anchor=_anchor,
        )
    )
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n", used
