"""The human-readable codebook, ``codebook_<lang>.html`` and ``.pdf``, in Swedish and English.

Written as Markdown from the same column descriptions as the data files, then rendered by the
report's own renderer (:mod:`reports.render`: pandoc for HTML, typst for PDF). The PDF's creation
date is set to the release date, so a rebuild is identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from instruments.spec import InstrumentSpec
from project.config import Project
from releases.anonymity import Outcome
from releases.model import Column, Table
from releases.options import ReleaseOptions
from releases.survey import missing_codes
from reports.render import render_html, render_pdf


def _t(lang: str, sv: str, en: str) -> str:
    return sv if lang == "sv" else en


VARIABLE = ("Variabel", "Variable")
LABEL = ("Etikett", "Label")
ITEM_HEADER = (
    VARIABLE,
    ("Nr", "Code"),
    LABEL,
    ("Skala", "Set"),
    ("Omvänd", "Reversed"),
    ("NPT", "NPT"),
)
SCALE_HEADER = (
    VARIABLE,
    ("Skala", "Scale"),
    ("Frågor", "Items"),
    ("Metod", "Method"),
    ("Minst besvarade", "Min. answered"),
    ("Intervall", "Range"),
)
SET_HEADER = (("Skala", "Set"), ("Kod", "Code"), LABEL)
FILE_HEADER = (
    ("Tabell", "Table"),
    ("Innehåll", "Contents"),
    ("Rader", "Rows"),
    ("Format", "Formats"),
)
VARIABLE_HEADER = (VARIABLE, LABEL, ("Typ", "Type"), ("Värden", "Values"))
ANONYMITY_HEADER = (
    ("Tabell", "Table"),
    ("Generaliserat", "Generalised"),
    ("Rader", "Rows"),
    ("Borttagna", "Dropped"),
    ("k uppnått", "k achieved"),
)


def _head(lang: str, header: tuple[tuple[str, str], ...]) -> list[str]:
    return [_t(lang, sv, en) for sv, en in header]


def _cell(value: object) -> str:
    return " ".join(str(value).split()).replace("|", "\\|") if value is not None else ""


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _values(col: Column, lang: str) -> str:
    parts = [f"{c.value} = {c.label.get(lang)}" for c in col.categories]
    parts += [
        f"{m.code} (Stata .{m.letter}) = {m.label.get(lang)} "
        f"({_t(lang, 'deklarerat bortfall', 'declared missing')})"
        for m in col.missing
    ]
    if not parts and col.minimum is not None and col.type in ("integer", "number"):
        high = f"{col.maximum:g}" if col.maximum is not None else ""
        parts.append(f"{col.minimum:g}–{high}")
    return "; ".join(parts)


def _instrument(spec: InstrumentSpec, lang: str) -> str:
    out = [
        f"## {spec.name.get(lang)} ({spec.version})\n",
        f"{_t(lang, 'Källa', 'Source')}: {spec.citation}\n",
    ]
    codes = missing_codes(spec)
    rows: list[list[object]] = []
    for name, rs in spec.response_sets.items():
        rows += [[name, o.code, o.labels.get(lang)] for o in rs.options]
        if rs.type == "numeric":
            rows.append([name, f"{rs.low:g}–{rs.high:g}", _t(lang, "numerisk", "numeric")])
        rows += [
            [name, f"{codes[o.key].code} (.{codes[o.key].letter})", o.labels.get(lang)]
            for o in rs.not_applicable
        ]
    out += [
        f"### {_t(lang, 'Svarsskalor', 'Response sets')}\n",
        _table(_head(lang, SET_HEADER), rows),
    ]
    items = [
        [
            spec.column(i.id),
            i.source_code,
            i.label.get(lang),
            i.response_set,
            _t(lang, "ja", "yes") if i.reverse else "",
            i.npt_construct or "",
        ]
        for i in spec.items
    ]
    out += [
        f"### {_t(lang, 'Frågor (korta etiketter med egna ord)', 'Items (short labels in our own words)')}\n",
        _table(
            _head(lang, ITEM_HEADER),
            items,
        ),
    ]
    scales = [
        [
            spec.column(s.id),
            s.label.get(lang),
            ", ".join(s.items),
            s.method,
            s.required_answers(),
            "–".join(f"{x:g}" for x in spec.score_range(s.id)),
        ]
        for s in spec.scales
    ]
    if scales:
        out += [
            f"### {_t(lang, 'Skalor och poängsättning', 'Scales and scoring')}\n",
            _table(
                _head(lang, SCALE_HEADER),
                scales,
            ),
        ]
    out += [f"- {note}\n" for note in spec.notes]
    return "\n".join(out)


def _anonymity(outcomes: list[Outcome], options: ReleaseOptions, lang: str) -> str:
    if not options.anonymised:
        return (
            _t(
                lang,
                "Profilen *internal*: pseudonymiserade data för projektets eget bruk, inte anonymiserade. "
                "Får inte deponeras eller delas utanför projektet.",
                "Profile *internal*: pseudonymised data for the project's own use, not anonymised. "
                "Not for deposit or sharing outside the project.",
            )
            + "\n"
        )
    text = _t(
        lang,
        f"Profilen *deposit*: varje kombination av kvasi-identifierare ({', '.join(options.quasi_identifiers)}) "
        f"omfattar minst k = {options.k_anonymity} personer.",
        f"Profile *deposit*: every combination of the quasi-identifiers ({', '.join(options.quasi_identifiers)}) "
        f"holds at least k = {options.k_anonymity} people.",
    )
    rows = [
        [o.table, "; ".join(o.steps) or "–", o.rows_in, o.rows_dropped, o.k_achieved]
        for o in outcomes
    ]
    return (
        text
        + "\n\n"
        + _table(
            _head(lang, ANONYMITY_HEADER),
            rows,
        )
    )


def codebook_markdown(
    project: Project,
    options: ReleaseOptions,
    tables: list[Table],
    specs: list[InstrumentSpec],
    outcomes: list[Outcome],
    lang: str,
) -> str:
    """The codebook's Markdown in ``lang``."""
    d = options.date
    parts = [
        f'---\ntitle: "{project.name.get(lang)} – {_t(lang, "kodbok", "codebook")}"\n'
        f'subtitle: "Release {options.version} ({options.profile}), {d.isoformat()}"\nlang: {lang}\n---\n',
        f"# {_t(lang, 'Om releasen', 'About this release')}\n",
        _t(
            lang,
            f"Licens: {options.licence}. Citera enligt CITATION.cff. Korta etiketter är skrivna med egna ord; "
            "instrumentens frågetexter ingår inte (licens).",
            f"Licence: {options.licence}. Cite as CITATION.cff says. Short labels are in our own words; the "
            "instruments' item wording is not included (licences).",
        )
        + "\n",
        f"# {_t(lang, 'Filer', 'Files')}\n",
        _table(
            _head(lang, FILE_HEADER),
            [
                [
                    t.name,
                    t.title.get(lang),
                    len(t.frame),
                    "csv, parquet" + (", sav, dta" if t.labelled else ""),
                ]
                for t in tables
            ],
        ),
        f"# {_t(lang, 'Anonymitet', 'Anonymity')}\n",
        _anonymity(outcomes, options, lang),
        f"# {_t(lang, 'Instrument', 'Instruments')}\n",
        *(_instrument(spec, lang) for spec in specs),
        f"# {_t(lang, 'Variabler', 'Variables')}\n",
    ]
    for table in tables:
        parts.append(f"## {table.title.get(lang)} (`data/{table.name}.csv`)\n")
        rows = [[c.name, c.label.get(lang), c.type, _values(c, lang)] for c in table.columns]
        parts.append(
            _table(
                _head(lang, VARIABLE_HEADER),
                rows,
            )
        )
    return "\n".join(parts)


def write_codebooks(folder: Path, markdown: dict[str, str], *, date: dt.date) -> list[Path]:
    """Render each language's Markdown to ``codebook_<lang>.html`` and ``.pdf`` in ``folder``;
    the PDF's creation date is ``date`` (the release date), so a rebuild is identical."""
    written = []
    for lang, text in markdown.items():
        source = folder / f"codebook_{lang}.md"
        source.write_text(text, encoding="utf-8")
        written.append(render_html(source, folder / f"codebook_{lang}.html", lang=lang))
        written.append(render_pdf(source, folder / f"codebook_{lang}.pdf", lang=lang, date=date))
        source.unlink()
    return written
