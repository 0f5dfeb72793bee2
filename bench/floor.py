"""The plain-script floor: the pipeline's core results, written by hand without its frameworks.

What a careful data scientist would write for one project: no Prefect, no great_expectations, no
impleval imports (only pandas, numpy, scipy, statsmodels, matplotlib, PyYAML, pypandoc and typst).
It is the lower bound ``make bench`` compares the pipeline with, so it does the same core work for
every row, series and code:

- ingest: read the exports in ``inbox/`` (xlsx/csv), map answer labels (sv, en, accepted
  spellings, codes) and organisation, ward and staff-group labels to ids, pseudonymise e-mail
  addresses with HMAC-SHA256, quarantine unknown labels and double submissions, write clean CSV;
- analyse: Cronbach's alpha with the Feldt CI, item–rest r and alpha if deleted per scale and wave,
  scale scores, the quasi-Poisson segmented ITS per indicator × unit, Cohen's kappa per code on
  the double-coded segments; results as CSV;
- report: the same number of figures as the pipeline, one Markdown, rendered to self-contained
  HTML and DOCX (pandoc) and PDF (pandoc → typst).

Usage::

    .venv/bin/python bench/floor.py PROJECT [--stage all|ingest|analyse|report]

Everything is written under ``PROJECT/floor/``; the key under ``$XDG_CONFIG_HOME/impleval-floor/``.
Statistics live in ``bench/floor_stats.py`` (kept apart only for the house's 500-line limit).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import floor_report
import floor_stats as st
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parent.parent
NOT_APPLICABLE = -1.0
KEY_COLUMNS = ["wave", "respondent_id", "submitted", "organisation", "unit", "staff_group"]


def norm(text: pd.Series) -> pd.Series:
    """Labels compared as the pipeline does: case, surrounding and repeated whitespace ignored."""
    return text.astype("string").str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def spellings(entry: dict) -> list[str]:
    return [*entry["labels"].values(), *entry.get("accept", [])]


def lookup(entries: list[dict]) -> dict[str, str]:
    return {" ".join(s.split()).casefold(): e["id"] for e in entries for s in spellings(e)}


def project_key(project_id: str) -> bytes:
    """The pseudonymisation key, kept outside the project folder (created once, mode 0600)."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "impleval-floor"
    path = base / f"{project_id}.key"
    if not path.is_file():
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def instruments(project: dict, root: Path) -> dict[str, dict]:
    """Instrument id → its spec with the project's variant and reverse keys applied."""
    out = {}
    for entry in project["instruments"]:
        entry = {"id": entry} if isinstance(entry, str) else entry
        local = root / "instruments" / entry["id"] / "instrument.yaml"
        spec = read_yaml(
            local if local.is_file() else REPO / "instruments" / entry["id"] / "instrument.yaml"
        )
        variant = entry.get("variant") or spec.get("default_variant")
        if variant:
            spec["scales"] = spec["variants"][variant]["scales"]
        reverse = set(entry.get("reverse", []))
        spec["reverse"] = {i["id"] for i in spec["items"] if i.get("reverse")} | reverse
        out[entry["id"]] = spec
    return out


def answer_map(rset: dict) -> dict[str, float]:
    """Normalised spelling → code; "not applicable" answers → :data:`NOT_APPLICABLE`."""
    out = {}
    for option in rset.get("options", []):
        for s in [*spellings(option), str(option["code"])]:
            out[" ".join(s.split()).casefold()] = float(option["code"])
    for option in rset.get("not_applicable", []):
        for s in spellings(option):
            out[" ".join(s.split()).casefold()] = NOT_APPLICABLE
    return out


def read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=object)
    head = path.read_text(encoding="utf-8-sig")[:2000].splitlines()[0]
    sep = ";" if head.count(";") > head.count(",") else ","
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def find_column(frame: pd.DataFrame, *names: str) -> str | None:
    wanted = {n.casefold() for n in names}
    return next((c for c in frame.columns if str(c).strip().casefold() in wanted), None)


# -- ingest -------------------------------------------------------------------------------------
def map_items(raw: pd.DataFrame, spec: dict, bad: pd.Series) -> pd.DataFrame:
    """Codes per item (NaN: empty or not applicable); rows with an unknown answer go to ``bad``."""
    out = {}
    for item in spec["items"]:
        rset = spec["response_sets"][item["response_set"]]
        column = (
            raw[str(item["source_code"])]
            if str(item["source_code"]) in raw
            else raw[item["source_code"]]
        )
        text = norm(column.astype(object).where(column.notna(), "").astype(str))
        empty = text.fillna("").isin(["", "nan"])
        if rset["type"] == "numeric":
            codes = pd.to_numeric(text, errors="coerce")
            ok = codes.between(rset["min"], rset["max"]) & (codes == codes.round())
        else:
            codes = text.map(answer_map(rset)).astype("float64")
            ok = codes.notna()
            codes = codes.where(codes != NOT_APPLICABLE)
        bad |= ~empty & ~ok.fillna(False)
        out[f"{spec['id']}_{item['id']}"] = codes.where(~empty).astype("float64")
    return pd.DataFrame(out, index=raw.index)


def ingest_survey(path: Path, spec: dict, wave: dict, ctx: dict) -> tuple[pd.DataFrame, list]:
    raw = read_table(path)
    email = norm(raw[find_column(raw, "E-post", "Email", "E-mail")].astype(str))
    bad_label = pd.Series(False, index=raw.index)
    items = map_items(raw, spec, bad_label)
    org = norm(raw[find_column(raw, "Organisation")].astype(str)).map(ctx["orgs"])
    group = norm(raw[find_column(raw, "Yrkesgrupp")].astype(str)).map(ctx["groups"])
    unit_col = find_column(raw, "Enhet")
    unit = pd.Series(None, index=raw.index, dtype=object)
    if unit_col:
        text = norm(raw[unit_col].astype(object).where(raw[unit_col].notna(), "").astype(str))
        unit = text.map({spelling: ids[1] for spelling, ids in ctx["units"].items()})
    submitted = pd.to_datetime(raw[find_column(raw, "Inskickad")], errors="coerce", format="mixed")
    window = submitted.dt.date.between(wave["opens"], wave["closes"])
    ids = [hmac.new(ctx["key"], e.encode(), hashlib.sha256).hexdigest()[:16] for e in email]
    frame = pd.DataFrame(
        {
            "wave": wave["id"],
            "respondent_id": ids,
            "submitted": submitted,
            "organisation": org,
            "unit": unit,
            "staff_group": group,
        }
    ).join(items)
    reasons = {
        "unknown_label": bad_label,
        "unknown_organisation": org.isna(),
        "unknown_staff_group": group.isna(),
        "outside_wave": ~window,
        "duplicate_respondent": frame["respondent_id"].duplicated(keep=False),
    }
    problems = [
        {"file": path.name, "source_row": int(row) + 2, "rule": rule}
        for rule, mask in reasons.items()
        for row in raw.index[mask.fillna(True).to_numpy(dtype=bool)]
    ]
    drop = {p["source_row"] - 2 for p in problems}
    return frame.drop(index=sorted(drop)), problems


def ingest_indicators(paths: list[Path], project: dict) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    registry = {i["id"]: i for i in project.get("indicators", [])}
    outcome_ids = {o["id"] for o in project.get("outcomes", [])}
    values, outcomes, problems = [], [], []
    for path in paths:
        raw = read_table(path)
        extra = [
            c
            for c in raw.columns
            if c not in ("indicator", "unit", "category", "period", "value", "denominator")
        ]
        breakdown = pd.Series("", index=raw.index)
        for c in extra:
            breakdown = breakdown.where(raw[c] == "", breakdown + ";" + c + "=" + raw[c])
        raw["disaggregation"] = breakdown.str.removeprefix(";")
        raw["period_start"] = pd.to_datetime(
            raw["period"].where(raw["period"].str.len() > 4, raw["period"] + "-01"), format="%Y-%m"
        )
        raw["value"] = pd.to_numeric(raw["value"])
        raw["denominator"] = pd.to_numeric(
            raw.get("denominator", pd.Series("", index=raw.index)), errors="coerce"
        )
        if "category" in raw:
            known = raw["indicator"].isin(outcome_ids)
            outcomes.append(raw[known])
        else:
            raw["unit"] = raw["unit"].replace("", "all") if "unit" in raw else "all"
            pairs = {(i, u) for i, ind in registry.items() for u in ind.get("units", ["all"])}
            known = pd.Series(
                [pair in pairs for pair in zip(raw["indicator"], raw["unit"], strict=True)],
                index=raw.index,
            )
            values.append(raw[known])
        problems += [
            {"file": path.name, "source_row": int(i) + 2, "rule": "unknown_indicator_or_unit"}
            for i in raw.index[~known]
        ]
    cat = [pd.concat(v, ignore_index=True) if v else pd.DataFrame() for v in (values, outcomes)]
    return cat[0], cat[1], problems


def code_lookup(project: dict) -> dict[str, str]:
    """Tool code path (``A > B > C``) or last label → codebook code id."""
    book = read_yaml(REPO / "instruments" / "npt-codebook" / "codebook.yaml")
    out: dict[str, str] = {}
    entries = [s for c in book["constructs"] for s in c["sub_constructs"]]
    interviews = project["interviews"]
    stack = list(interviews.get("project_codes", []))
    while stack:
        entry = stack.pop()
        entries.append(entry)
        stack += entry.get("children", [])
    for e in entries:
        for label in e["labels"].values():
            out[label.casefold()] = e["id"]
    for path, code in interviews.get("code_map", {}).items():
        out[path.casefold()] = code
    return out


def ingest_codings(paths: list[Path], project: dict) -> tuple[pd.DataFrame, list]:
    interviews = project["interviews"]
    coders = lookup(
        [
            {"id": c["id"], "labels": {}, "accept": [c["id"], *c.get("accept", [])]}
            for c in interviews["coders"]
        ]
    )
    codes = code_lookup(project)
    rules = [
        (re.compile(d["match"]), d["stakeholder_group"], d["round"])
        for d in interviews["documents"]
    ]
    frames, problems = [], []
    for path in paths:
        raw = read_table(path)
        coder = norm(raw["Created by"]).map(coders)
        path_text = raw["Code"].str.replace("\\", " > ", regex=False).str.casefold()
        code = path_text.map(codes).fillna(path_text.str.rsplit(" > ", n=1).str[-1].map(codes))
        doc = raw["Document name"]
        names = doc.unique()
        group = doc.map({d: next((g for rx, g, _ in rules if rx.search(d)), None) for d in names})
        numbers = {name: f"doc{i:05d}" for i, name in enumerate(dict.fromkeys(doc), start=1)}
        frame = pd.DataFrame(
            {
                "document": doc.map(numbers),
                "stakeholder_group": group,
                "beginning": raw["Beginning"].astype(int),
                "end": raw["End"].astype(int),
                "coder": coder,
                "code": code.fillna(""),
            }
        )
        problems += [
            {"file": path.name, "source_row": int(i) + 2, "rule": "unknown_coder"}
            for i in raw.index[coder.isna()]
        ]
        frames.append(frame[coder.notna()])
    return pd.concat(frames, ignore_index=True), problems


def stage_ingest(root: Path, project: dict, out: Path) -> None:
    clean = out / "clean"
    clean.mkdir(parents=True, exist_ok=True)
    ctx = {
        "orgs": lookup(project["organisations"]),
        "groups": lookup(project["staff_groups"]),
        "units": {
            " ".join(s.split()).casefold(): (o["id"], u["id"])
            for o in project["organisations"]
            for u in o.get("units", [])
            for s in spellings(u)
        },
        "key": project_key(project["id"]),
    }
    specs = instruments(project, root)
    waves = {(w["instrument"], w["id"]): w for w in project["waves"]}
    files = sorted(p for p in (root / "inbox").iterdir() if p.is_file())
    problems: list[dict] = []
    for instrument, spec in specs.items():
        parts = []
        for path in files:
            m = re.fullmatch(r"(.+?)_([^_]+)", path.stem)
            if not (m and path.suffix in (".csv", ".xlsx") and m.group(1) == instrument):
                continue
            if (instrument, m.group(2)) in waves:
                frame, found = ingest_survey(path, spec, waves[(instrument, m.group(2))], ctx)
                parts.append(frame)
                problems += found
        pd.concat(parts, ignore_index=True).to_csv(clean / f"survey_{instrument}.csv", index=False)
    values, outcomes, found = ingest_indicators(
        [p for p in files if p.name.startswith("indicators_")], project
    )
    values.to_csv(clean / "indicators.csv", index=False)
    outcomes.to_csv(clean / "outcomes.csv", index=False)
    codings, more = ingest_codings([p for p in files if p.name.startswith("codings_")], project)
    codings.to_csv(clean / "codings.csv", index=False)
    pd.DataFrame(problems + found + more, columns=["file", "source_row", "rule"]).to_csv(
        clean / "quarantine.csv", index=False
    )


# -- analyse ------------------------------------------------------------------------------------
def stage_analyse(root: Path, project: dict, out: Path) -> None:
    clean, results = out / "clean", out / "results"
    results.mkdir(parents=True, exist_ok=True)
    reliability, item_stats, scores, distributions = [], [], [], []
    for instrument, spec in instruments(project, root).items():
        wide = pd.read_csv(clean / f"survey_{instrument}.csv")
        a, b, c, d = st.survey_statistics(wide, spec)
        reliability.append(a)
        item_stats.append(b)
        scores.append(c)
        distributions.append(d)
    for name, frames in (
        ("reliability", reliability),
        ("item_statistics", item_stats),
        ("scale_scores", scores),
        ("item_distributions", distributions),
    ):
        pd.concat(frames, ignore_index=True).to_csv(results / f"{name}.csv", index=False)
    values = pd.read_csv(clean / "indicators.csv", keep_default_na=False, na_values=[""])
    its, series = st.its_all(values, project)
    its.to_csv(results / "its.csv", index=False)
    series.to_csv(results / "its_series.csv", index=False)
    codings = pd.read_csv(clean / "codings.csv", keep_default_na=False)
    st.kappa_by_code(codings).to_csv(results / "agreement.csv", index=False)
    counts = codings[codings["coder"] == project["interviews"]["primary_coder"]]
    counts = counts[counts["code"] != ""].groupby(["code", "stakeholder_group"]).size()
    counts.rename("n").reset_index().to_csv(results / "code_counts.csv", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--stage", choices=("all", "ingest", "analyse", "report"), default="all")
    args = parser.parse_args(argv)
    root = args.project.resolve()
    project = read_yaml(root / "project.yaml")
    out = root / "floor"
    if args.stage in ("all", "ingest"):
        stage_ingest(root, project, out)
    if args.stage in ("all", "analyse"):
        stage_analyse(root, project, out)
    if args.stage in ("all", "report"):
        floor_report.stage_report(project, out, instruments(project, root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
