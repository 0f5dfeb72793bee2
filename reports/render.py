"""Render the report's Markdown to HTML, DOCX and PDF with pandoc (pypandoc) and typst.

- HTML: one self-contained file (``--standalone --embed-resources``): figures inlined as data URIs
  (put in after pandoc, in place of stand-ins: :func:`reports.resources.stand_in_images`), our
  stylesheet (``templates/report.css``) embedded, no external URL to fetch.
- DOCX: pandoc's DOCX writer with native caption numbering ("Tabell 1", "Figur 1"); table widths
  come from the pipe tables' separator lines (see :func:`reports.writer.pipe_table`).
- PDF: pandoc writes typst (A4, the report's language and region), then the typst Python binding
  compiles it with its embedded fonts only, so the PDF does not depend on the machine's fonts,
  in a Python process of its own (:data:`_TYPST_COMPILE`: its memory is not the report's).

Nothing is fetched while rendering (docs/disclosure.md, "Escaping"): pandoc runs with
``--sandbox``, reads the Markdown with raw HTML, raw attributes, raw TeX, citations and TeX maths
switched off (:data:`INPUT_FORMAT`), the figures reach it inside the tree as ``data:`` URIs and
the stylesheet as a header file, and a document that names a remote resource is refused
(:mod:`reports.resources`).

The Markdown is parsed once into pandoc's document tree (:func:`parse_markdown`; the report
stage does it while the figures are drawn) and every format is written from that tree, each into
a temporary name that the writer renames when it is complete (:func:`reports.writer.write_with`). Failures of pandoc or typst are raised as
:class:`project.errors.RenderError` with what they said.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from project.errors import RenderError
from reports.content import Progress
from reports.docx_layout import finish_docx
from reports.docx_reference import default_reference_doc
from reports.resources import embed_images, fill_images, stand_in_images
from reports.strings import TEMPLATES_DIR
from reports.writer import temporary_path, write_with

CSS_FILE = TEMPLATES_DIR / "report.css"
TYPST_HEADER = TEMPLATES_DIR / "typst-header.typ"
FORMATS = ("html", "docx", "pdf")
_REGION = {"sv": "SE", "en": "GB"}
_TYPST_MARGINS = "margin:\n  x: 2.3cm\n  y: 2.5cm\n"
INPUT_FORMAT = "markdown-raw_html-raw_attribute-raw_tex-citations-tex_math_dollars"
"""How pandoc reads the report: pandoc's Markdown without raw HTML/attributes/TeX (HTML in the
narrative is shown as text, never passed on), citations (the report has no bibliography: ``@z``
would stop the run) and ``$…$`` maths (``$5 och $10`` is money, not maths)."""


def _pandoc(
    source: Path,
    to: str,
    *,
    outputfile: Path | None,
    extra_args: list[str],
    ast: str | None = None,
) -> str:
    """Run pandoc on the Markdown file ``source``, or on its parsed ``ast`` when given."""
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise RenderError(
            "pandoc: pypandoc is not installed. Hint: install impleval's dependencies "
            "(pypandoc-binary ships pandoc)."
        ) from exc
    options = {
        "outputfile": str(outputfile) if outputfile else None,
        "extra_args": extra_args,
        "sandbox": True,
    }
    try:
        if ast is None:
            result = pypandoc.convert_file(str(source), to, format=INPUT_FORMAT, **options)
        else:
            result = pypandoc.convert_text(ast, to, format="json", **options)
    except (RuntimeError, OSError) as exc:
        message = " ".join(str(exc).split())
        raise RenderError(
            f"{source.name}: pandoc could not write {to}. Pandoc said: {message[:800]} "
            f"Hint: check the Markdown near the place named, and that figure files exist."
        ) from exc
    return result or ""


def _resource_args(markdown: Path) -> list[str]:
    return [f"--resource-path={markdown.parent}"]


def parse_markdown(markdown: Path) -> str:
    """The report's Markdown parsed once into pandoc's document tree (JSON), from which every
    format is written (parsing is most of pandoc's work; it needs no figure files)."""
    tree = json.loads(_pandoc(Path(markdown), "json", outputfile=None, extra_args=[]))
    return json.dumps(_own_raw_blocks(tree), ensure_ascii=False)


OWN_RAW = "impleval-raw"
_OWN_RAW_FORMATS = ("typst", "openxml")


def _own_raw_blocks(node: Any) -> Any:
    """The template's own page breaks and contents for PDF and DOCX, as raw blocks.

    The reader lets no raw block through (:data:`INPUT_FORMAT`), so the template writes them as
    code blocks of class ``impleval-raw`` with a ``format`` attribute, turned into raw blocks here.
    Only typst and openxml: nothing of the kind reaches HTML, and data cannot write such a block
    (its backticks are escaped)."""
    if isinstance(node, list):
        return [_own_raw_blocks(n) for n in node]
    if not isinstance(node, dict):
        return node
    if node.get("t") == "CodeBlock":
        (_, classes, attrs), text = node["c"]
        fmt = dict(attrs).get("format")
        if OWN_RAW in classes and fmt in _OWN_RAW_FORMATS:
            return {"t": "RawBlock", "c": [fmt, text]}
    return {k: _own_raw_blocks(v) for k, v in node.items()}


def _embedded(markdown: Path, ast: str | None) -> str:
    """The parsed Markdown with its figures inside (the sandbox reads no figure file)."""
    return embed_images(ast if ast is not None else parse_markdown(markdown), markdown.parent)


def render_html(markdown: Path, output: Path, *, lang: str, ast: str | None = None) -> Path:
    """A self-contained HTML file (figures and stylesheet embedded, no external references).

    pandoc embeds the stylesheet and writes each figure as a stand-in, replaced by the figure's
    ``data:`` URI afterwards (:func:`reports.resources.stand_in_images`): the same file as pandoc
    embedding the figures itself, without its cost (seconds and gigabytes for a large report)."""
    markdown, output = Path(markdown), Path(output)
    parsed = ast if ast is not None else parse_markdown(markdown)
    tree, figures = stand_in_images(parsed, markdown.parent)
    with tempfile.TemporaryDirectory(prefix="impleval-html-") as tmp:
        style = Path(tmp) / "style.html"
        css = CSS_FILE.read_text(encoding="utf-8")
        style.write_text(f"<style>\n{css}</style>\n", encoding="utf-8")
        _pandoc(
            markdown,
            "html5",
            outputfile=output,
            extra_args=[
                "--standalone",
                "--embed-resources",
                "--toc",
                "--toc-depth=2",
                f"--include-in-header={style}",
                f"--metadata=lang:{lang}",
                *_resource_args(markdown),
            ],
            ast=tree,
        )
    output.write_bytes(fill_images(output.read_bytes().decode("utf-8"), figures).encode("utf-8"))
    return output


def render_docx(
    markdown: Path,
    output: Path,
    *,
    lang: str,
    reference_doc: Path | None = None,
    ast: str | None = None,
) -> Path:
    """An editable DOCX (Word's own caption numbering) with the styles, page size, margins,
    headers and footers of ``reference_doc`` (default: A4 with page numbers,
    :func:`reports.docx_reference.default_reference_doc`)."""
    markdown, output = Path(markdown), Path(output)
    if reference_doc is not None and not Path(reference_doc).is_file():
        raise RenderError(
            f"project.yaml: report.docx_template {Path(reference_doc).name} is not a file. Hint: "
            f"give the path of a .docx relative to the project folder, or leave the key out."
        )
    with tempfile.TemporaryDirectory(prefix="impleval-docx-") as tmp:
        reference = reference_doc or default_reference_doc(Path(tmp) / "reference.docx")
        extra = [f"--metadata=lang:{lang}", f"--reference-doc={reference}"]
        extra += _resource_args(markdown)
        _pandoc(
            markdown,
            "docx+native_numbering",
            outputfile=output,
            extra_args=extra,
            ast=_embedded(markdown, ast),
        )
    return finish_docx(output)


def markdown_to_typst(markdown: Path, *, lang: str, ast: str | None = None) -> str:
    """The typst source pandoc writes for the report (A4, language and region set)."""
    markdown = Path(markdown)
    with tempfile.TemporaryDirectory(prefix="impleval-typst-") as tmp:
        meta = Path(tmp) / "typst-metadata.yaml"
        meta.write_text(_TYPST_MARGINS, encoding="utf-8")
        return _pandoc(
            markdown,
            "typst",
            outputfile=None,
            extra_args=[
                "--standalone",
                "-V",
                "papersize=a4",
                "-V",
                "page-numbering=1 / 1",
                "-V",
                f"lang={lang}",
                "-V",
                f"region={_REGION.get(lang, 'SE')}",
                f"--metadata-file={meta}",
                f"--include-in-header={TYPST_HEADER}",
                *_resource_args(markdown),
            ],
            ast=ast if ast is not None else parse_markdown(markdown),
        )


_IMAGE_PATH = re.compile(r'image\("((?:[^"\\]|\\.)*)"')


def _typst_root(typ_file: Path, source: str) -> Path:
    """The smallest folder holding the typst file and every image it names."""
    paths = [typ_file.parent.resolve()]
    for match in _IMAGE_PATH.finditer(source):
        target = Path(match.group(1).replace('\\"', '"'))
        if not target.is_absolute():
            target = typ_file.parent / target
        paths.append(target.resolve().parent)
    return Path(os.path.commonpath([str(p) for p in paths]))


_TYPST_COMPILE = """
import datetime, json, sys
import typst
job = json.loads(sys.argv[1])
stamp = job["timestamp"]
try:
    typst.compile(
        job["input"],
        output=job["output"],
        format="pdf",
        root=job["root"],
        ignore_system_fonts=True,
        timestamp=datetime.datetime.fromisoformat(stamp) if stamp else None,
    )
except Exception as exc:  # typst raises its own error types (TypstError, RuntimeError)
    sys.exit(str(exc))
"""
"""The PDF compile, run in a process of its own: typst holds the whole laid-out document (1.7 GB
for the 100x example), which would otherwise add to the report process's own memory."""


def vector_images(source: str, base: Path, vector: Mapping[Path, Path]) -> str:
    """The typst source with each image of ``vector`` (its PNG, as the source names it relative
    to ``base``) replaced by its vector drawing (the figure's SVG export).

    >>> vector_images('#image("../figures/a.png", width: 80%)', Path("/r/out"),
    ...               {Path("/r/figures/a.png"): Path("/r/out/exports/figur_01.svg")})
    '#image("exports/figur_01.svg", width: 80%)'
    """
    wanted = {Path(os.path.abspath(k)): Path(os.path.abspath(v)) for k, v in vector.items()}

    def swap(match: re.Match[str]) -> str:
        named = Path(match.group(1).replace('\\"', '"'))
        svg = wanted.get(Path(os.path.abspath(base / named)))
        if svg is None:
            return match.group(0)
        relative = Path(os.path.relpath(svg, base)).as_posix()
        return 'image("' + relative.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return _IMAGE_PATH.sub(swap, source)


def render_pdf(
    markdown: Path,
    output: Path,
    *,
    lang: str,
    keep_typst: bool = False,
    ast: str | None = None,
    date: dt.date | None = None,
    vector: Mapping[Path, Path] | None = None,
) -> Path:
    """An A4 PDF through typst.

    ``vector`` maps a figure's PNG to its SVG: the PDF shows the SVG (vector, sharp in print, and
    no slower to compile than the PNG) where the Markdown names the PNG.

    The typst source is written beside the Markdown under a temporary name (so the figures'
    relative paths resolve) and removed after a successful compile, unless ``keep_typst``; on
    failure it is kept as ``<report>.typ`` for inspection. ``date`` is the PDF's creation date
    (else typst stamps the compile time): the same inputs then give the same bytes.
    """
    markdown, output = Path(markdown), Path(output)
    if importlib.util.find_spec("typst") is None:  # pragma: no cover - a dependency
        raise RenderError("typst: the typst package is not installed.")
    source = markdown_to_typst(markdown, lang=lang, ast=ast)
    if vector:
        source = vector_images(source, markdown.parent, vector)
    if date is not None:  # a set rule before any content (the Markdown has no raw typst)
        stamp = f"datetime(year: {date.year}, month: {date.month}, day: {date.day})"
        source = f"#set document(date: {stamp})\n{source}"
    kept = markdown.with_suffix(".typ")
    typ_file = temporary_path(kept)
    typ_file.write_text(source, encoding="utf-8")
    job = {
        "input": str(typ_file),
        "output": str(output),
        "root": str(_typst_root(typ_file, source)),
        "timestamp": _midnight(date).isoformat() if date is not None else None,
    }
    compiled = subprocess.run(
        [sys.executable, "-c", _TYPST_COMPILE, json.dumps(job)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if compiled.returncode != 0:
        os.replace(typ_file, kept)
        message = " ".join(compiled.stderr.split()) or f"exit status {compiled.returncode}"
        raise RenderError(
            f"{kept.name}: typst could not compile the PDF. Typst said: {message[:800]} "
            f"Hint: the typst source is kept beside the report for inspection."
        )
    if keep_typst:
        os.replace(typ_file, kept)
    typ_file.unlink(missing_ok=True)
    return output


def render_report(  # noqa: PLR0913 -- keyword-only: one per thing a format needs
    markdown: Path,
    *,
    formats: Iterable[str],
    lang: str,
    out_dir: Path | None = None,
    reference_doc: Path | None = None,
    progress: Progress | None = None,
    ast: str | None = None,
    report_date: dt.date | None = None,
    vector: Mapping[Path, Path] | None = None,
) -> dict[str, Path]:
    """Render ``markdown`` to each of ``formats`` (``html``, ``docx``, ``pdf``; the PDF with the
    figures' vector drawings of ``vector``, PNG → SVG, see :func:`render_pdf`).

    Outputs are named after the Markdown file (``report_sv.md`` → ``report_sv.html`` …) and written
    to ``out_dir`` (default: beside the Markdown), each atomically. The Markdown is parsed once
    (``ast``, from :func:`parse_markdown`, when the caller has it already) and every format is
    written from that tree, one after the other: once the Markdown is parsed, writing a format
    takes a fraction of a second, and threads did not make it faster (docs/architecture.md).

    Returns
    -------
    dict
        Format → path written, in the order of ``formats``.
    """
    markdown = Path(markdown)
    out_dir = Path(out_dir) if out_dir is not None else markdown.parent
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise RenderError(
            f"report: unknown format {', '.join(unknown)}. Expected one of {', '.join(FORMATS)}."
        )
    if ast is None and wanted:
        ast = parse_markdown(markdown)
    renderers: dict[str, Callable[[Path], object]] = {
        "html": partial(render_html, markdown, lang=lang, ast=ast),
        "docx": partial(render_docx, markdown, lang=lang, reference_doc=reference_doc, ast=ast),
        "pdf": partial(render_pdf, markdown, lang=lang, ast=ast, date=report_date, vector=vector),
    }
    written: dict[str, Path] = {}
    if progress:
        progress("formats", 0, len(wanted))
    with _source_date(report_date):
        for done, fmt in enumerate(wanted, 1):
            written[fmt] = write_with(out_dir / f"{markdown.stem}.{fmt}", renderers[fmt])
            if progress:
                progress("formats", done, len(wanted))
    return written


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@contextmanager
def _source_date(day: dt.date | None) -> Iterator[None]:
    """pandoc stamps a DOCX with ``SOURCE_DATE_EPOCH`` (else the clock): the report's date, so
    that the same report rendered again is the same file."""
    if day is None:
        yield
        return
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(_midnight(day).timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
