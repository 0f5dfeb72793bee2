"""``codebook.xml``: a DDI-Codebook 2.5 description of the release (study, files, variables).

Per variable: labels in Swedish and English, the question as our own short label (DDI's
``preQTxt``; the licensed item wording is never written), categories with frequencies, declared
missing categories (``missing="Y"``, with the "not relevant" key as ``missType``) and summary
statistics of the released values. Validation uses :data:`SUBSET_XSD` — a documented subset of
the official schema (see docs/releases.md) — or the official ``codebook.xsd`` when
``IMPLEVAL_DDI_XSD`` points to it.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from project.config import Project
from project.labels import in_language
from releases.model import Column, Table
from releases.options import ReleaseOptions

NS = "ddi:codebook:2_5"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUBSET_XSD = Path(__file__).resolve().parent / "schemas" / "ddi-codebook-2.5-subset.xsd"
OFFICIAL_XSD_ENV = "IMPLEVAL_DDI_XSD"


def _el(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = str(text)
    return element


def _both(parent: ET.Element, tag: str, labels) -> None:
    for lang in ("en", "sv"):
        _el(parent, tag, labels.get(lang)).set(XML_LANG, lang)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _study(root: ET.Element, project: Project, options: ReleaseOptions, notes: list[str]) -> None:
    study = _el(root, "stdyDscr")
    citation = _el(study, "citation")
    titles = _el(citation, "titlStmt")
    _el(titles, "titl", project.name.en).set(XML_LANG, "en")
    _el(titles, "parTitl", project.name.sv).set(XML_LANG, "sv")
    _el(titles, "IDNo", f"{project.id}-{options.version}")
    prod = _el(citation, "prodStmt")
    for role, who in (("evaluator", project.report.evaluator), ("funder", project.funder)):
        if who:
            _el(prod, "producer", in_language(who, "en"), role=role)
    _el(prod, "prodDate", options.date.isoformat(), date=options.date.isoformat())
    _el(prod, "software", "impleval")
    _el(
        _el(citation, "verStmt"),
        "version",
        options.version,
        date=options.date.isoformat(),
        type="release",
    )
    _scope(study, project, options)
    _method(study, notes, options)


def _scope(study: ET.Element, project: Project, options: ReleaseOptions) -> None:
    info = _el(study, "stdyInfo")
    _el(
        info,
        "abstract",
        f"Data of the implementation evaluation '{project.name.en}': staff "
        "surveys per wave, scale scores, indicator series, participant outcomes and interview "
        f"codings. Release profile: {options.profile}.",
    ).set(XML_LANG, "en")
    summary = _el(info, "sumDscr")
    if project.period:
        for event, day in (("start", project.period.start), ("end", project.period.end)):
            _el(summary, "timePrd", day.isoformat(), date=day.isoformat(), event=event)
    for wave in project.waves:
        for event, day in (("start", wave.opens), ("end", wave.closes)):
            _el(
                summary,
                "collDate",
                day.isoformat(),
                date=day.isoformat(),
                event=event,
                cycle=f"{wave.instrument} {wave.id}",
            )
    _el(summary, "nation", "Sweden", abbr="SE")
    _el(
        summary,
        "anlyUnit",
        "Staff members (survey respondents); organisations and units (indicators); interview documents (codings)",
    )
    _el(
        summary,
        "universe",
        "Staff of the organisations taking part in the evaluated implementation project",
    )
    _el(summary, "dataKind", "survey data; aggregate data; coded textual data")


def _method(study: ET.Element, notes: list[str], options: ReleaseOptions) -> None:
    method = _el(study, "method")
    coll = _el(method, "dataColl")
    _el(
        coll,
        "timeMeth",
        "repeated survey waves (panel where respondents answered more than one wave)",
    )
    _el(
        coll,
        "collMode",
        "web or paper questionnaire exports, monthly or yearly indicator reports, coded interviews",
    )
    _el(
        coll,
        "cleanOps",
        "Every export was validated against expectations generated from the instrument specifications; failing rows were quarantined and are not released.",
    )
    for note in notes:
        _el(method, "notes", note, type="anonymisation")
    _el(
        method,
        "dataProcessing",
        "Pseudonyms re-keyed for this release (HMAC-SHA256 with a release key that is not part of the release).",
    )
    use = _el(_el(study, "dataAccs"), "useStmt")
    _el(use, "citReq", "Cite this release as given in CITATION.cff.")
    _el(use, "conditions", f"Licence: {options.licence} (see LICENSE).")


def _categories(var: ET.Element, col: Column, values: pd.Series) -> None:
    counts = values.astype(object).where(values.notna(), None).value_counts()
    freq = {str(k): int(v) for k, v in counts.items()}
    for cat in col.categories:
        node = _el(var, "catgry")
        _el(node, "catValu", cat.value)
        _both(node, "labl", cat.label)
        _el(node, "catStat", freq.get(str(cat.value), 0), type="freq")
    for code in col.missing:
        node = _el(var, "catgry", missing="Y", missType=code.key)
        _el(node, "catValu", code.code)
        _both(node, "labl", code.label)
        _el(node, "catStat", freq.get(str(code.code), 0), type="freq")


def _variable(parent: ET.Element, table: Table, col: Column, file_id: str) -> None:
    numeric = col.type in ("integer", "number")
    var = _el(
        parent,
        "var",
        ID=f"V_{table.name}_{col.name}",
        name=col.name,
        files=file_id,
        intrvl="contin" if col.type == "number" else "discrete",
        nature="ordinal"
        if col.ordered
        else ("nominal" if col.categories else ("interval" if numeric else "")),
        representationType="code"
        if col.categories
        else ("numeric" if numeric else ("datetime" if "date" in col.type else "text")),
    )
    _both(var, "labl", col.label)
    if col.question is not None:
        qstn = _el(var, "qstn")
        _both(qstn, "preQTxt", col.question)
    values = table.frame[col.name]
    missing_codes = {m.code for m in col.missing}
    valid = values.dropna()
    if numeric:
        valid = pd.to_numeric(valid)
        valid = valid[~valid.isin(missing_codes)]
    _el(var, "sumStat", len(valid), type="vald")
    _el(var, "sumStat", len(values) - len(valid), type="invd")
    if numeric and len(valid) and not col.categories:
        _el(var, "sumStat", _number(valid.min()), type="min")
        _el(var, "sumStat", _number(valid.max()), type="max")
        _el(var, "sumStat", _number(float(valid.mean())), type="mean")
        if len(valid) > 1:
            _el(var, "sumStat", _number(float(valid.std())), type="stdev")
    if col.categories or col.missing:
        _categories(var, col, values)
    _el(
        var,
        "varFormat",
        type="numeric" if numeric else "character",
        schema="other",
        formatname=col.type,
    )
    if col.note is not None:
        _el(var, "notes", col.note.en)


def ddi_codebook(
    project: Project, options: ReleaseOptions, tables: list[Table], *, notes: list[str]
) -> ET.ElementTree:
    """The DDI-Codebook 2.5 document of a release (the CSV files are its data files)."""
    root = ET.Element(
        f"{{{NS}}}codeBook", {"version": "2.5", "ID": f"ddi-{project.id}-{options.version}"}
    )
    root.set(XML_LANG, "en")
    _study(root, project, options, notes)
    for table in tables:
        file = _el(root, "fileDscr", ID=f"F_{table.name}", URI=f"data/{table.name}.csv")
        text = _el(file, "fileTxt")
        _el(text, "fileName", f"{table.name}.csv")
        _el(text, "fileCont", table.title.en)
        dims = _el(text, "dimensns")
        _el(dims, "caseQnty", len(table.frame))
        _el(dims, "varQnty", len(table.columns))
        _el(text, "fileType", "text/csv")
    data = _el(root, "dataDscr")
    for table in tables:
        for col in table.columns:
            _variable(data, table, col, f"F_{table.name}")
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def write_ddi(tree: ET.ElementTree, path: Path) -> Path:
    # Registered here, at the write, not once at import: ElementTree's prefix registry is
    # process-wide, and another module registering "" since would turn the output into ns0: prefixes.
    # (``default_namespace=`` cannot be used: the DDI attributes are unqualified.)
    ET.register_namespace("", NS)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    return path


def schema_path() -> Path:
    """The schema DDI files are checked against: the official one when configured."""
    official = os.environ.get(OFFICIAL_XSD_ENV)
    return Path(official) if official else SUBSET_XSD


def validate_ddi(path: Path, schema: Path | None = None) -> list[str]:
    """Schema errors of a DDI file (the first few), or none."""
    import xmlschema

    xsd = xmlschema.XMLSchema(str(schema or schema_path()))
    return [f"{e.path}: {e.reason}" for e in list(xsd.iter_errors(str(path)))[:5]]
