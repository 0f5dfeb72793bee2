"""Write a benchmark project: the discharge-planning example at N times its size, from a seed.

SYNTHETIC DATA, NO REAL PERSONS. Usage (from the repository root)::

    .venv/bin/python bench/generate.py --scale 10 --out bench-10x [--seed 2019]

The project has N *regions*. Region 1 is the example (its organisations, ids and labels); region
r > 1 is a copy of it with its own ids (``hosp_alvstad_r2``), labels ("Älvstads sjukhus (region
2)") and e-mail domains. Per region, as in the example:

- ``inbox/nomad_T0.xlsx``, ``inbox/nomad_T1.csv``: 203 NoMAD answers at T0, 152 rows at T1
  (bench/generate_surveys.py: "not relevant", empty cells, spellings, one label typo and one
  double submission per region);
- ``inbox/pcat_VT2018.xlsx``, ``inbox/pcat_HT2018.csv``: 109 + 26 P-CAT answers;
- ``inbox/indicators_*.csv``: the region's indicator series. The regional indicators (days ready
  for discharge, participation, plans, …) have one unit per region (``all`` for region 1, as in the
  example; ``region_<r>`` for the others), the admission-message review one per hospital. So the
  ITS runs on 2 N series. The sister programme's outcomes stay as in the example (one file, 1×);
- ``inbox/codings_interviews.csv``: 29 interviews per region, about 363 coded segments (230
  segments, seven documents double-coded), one coding by an undeclared coder per region.

Region 1's indicator series and interviews are the example's own draws (its generators and seeds);
its survey answers are drawn here with the example's model. Every region draws from its own seed
sequence ``(seed, region, part)``, so the 10× project holds the 1× project's region 1 and the same
seed always gives the same bytes. ``project.yaml`` is the example's with the regions' organisations
and indicator units added and the invited counts multiplied by N; ``narrative/`` and the interview
roster are copied.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import numpy as np
import yaml
from generate_surveys import (
    EXAMPLE,
    AgreeLabels,
    Catalogue,
    Region,
    load_example,
    nomad_model,
    nomad_region,
    pcat_region,
)
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.writer.excel import ExcelWriter

indicator_model = load_example("generate_indicators")
interview_model = load_example("generate_interviews")
FIXED_TIME = dt.datetime(2019, 6, 30, 12, 0, 0)
DEFAULT_SEED = 2019
PARTS = {"nomad": 1, "pcat": 2, "indicators": 3, "codings": 4}
#: Indicators measured per region (one unit per region) and per hospital.
REGIONAL = (
    "days_ready_for_discharge",
    "stay_ready_for_discharge",
    "weekend_discharges",
    "patient_participation",
    "sips_written",
    "named_care_contact",
)
PER_HOSPITAL = ("admission_message_delay", "admission_messages_on_time")


def _rng(seed: int, region: int, part: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, region, PARTS[part]]))


def _int_seed(seed: int, region: int, part: str) -> int:
    return int(np.random.SeedSequence([seed, region, PARTS[part]]).generate_state(1)[0])


def indicator_unit(region: Region) -> str:
    return "all" if region.number == 1 else f"region_{region.number}"


# -- project.yaml -------------------------------------------------------------------------------
def _regional_organisation(org: dict, region: Region) -> dict:
    out = copy.deepcopy(org)
    out["id"] = org["id"] + region.id_suffix
    out["labels"] = {k: v + region.label_suffix for k, v in org["labels"].items()}
    if org.get("accept"):
        out["accept"] = [a + region.label_suffix for a in org["accept"]]
    for unit, source in zip(out.get("units", []), org.get("units", []), strict=True):
        unit["id"] = source["id"] + region.id_suffix
        unit["labels"] = {k: v + region.label_suffix for k, v in source["labels"].items()}
    return out


def project_yaml(cat: Catalogue, scale: int, seed: int) -> str:
    """The example's project.yaml with ``scale`` regions."""
    data = copy.deepcopy(cat.project)
    regions = [Region(r) for r in range(1, scale + 1)]
    data["id"] = f"bench-{scale}x"
    data["name"] = {k: f"{v} – benchmark {scale}×" for k, v in data["name"].items()}
    data["organisations"] = [
        _regional_organisation(org, region)
        for region in regions
        for org in cat.project["organisations"]
    ]
    for wave in data["waves"]:
        wave["invited"] = wave["invited"] * scale
    for ind in data["indicators"]:
        if scale > 1 and ind["id"] in REGIONAL:
            ind["units"] = [indicator_unit(r) for r in regions]
        elif ind["id"] in PER_HOSPITAL:
            ind["units"] = [u + r.id_suffix for r in regions for u in ind["units"]]
    head = (
        f"# SYNTHETIC BENCHMARK PROJECT, {scale}× the discharge-planning example (seed {seed}):\n"
        "# no real persons, organisations or answers. Written by bench/generate.py.\n"
    )
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# -- indicators ---------------------------------------------------------------------------------
def _indicator_rows(region: Region, seed: int) -> dict[str, list[list[object]]]:
    """The rows of the region's three indicator files (outcomes are written for region 1 only)."""
    if region.number == 1:  # the example's own series
        rng = np.random.default_rng(indicator_model.SEED)
        return {
            "discharge": indicator_model.discharge_rows(rng),
            "planning": indicator_model.planning_rows(),
            "admission_messages": indicator_model.admission_rows(),
        }
    rng = _rng(seed, region.number, "indicators")
    unit = indicator_unit(region)
    discharge = [[row[0], unit, *row[2:]] for row in indicator_model.discharge_rows(rng)]
    planning = []
    for ind, _, period, value, den, group in indicator_model.planning_rows():
        if ind not in REGIONAL:
            continue
        drawn = rng.binomial(den, value / den) if den != "" else rng.poisson(value)
        planning.append([ind, unit, period, int(drawn), den, group])
    admission = []
    for ind, hospital, period, value, den, group in indicator_model.admission_rows():
        if ind == "admission_message_delay":
            drawn: object = round(float(value) * rng.gamma(20.0, 1 / 20.0), 3)
        else:
            drawn = int(rng.binomial(den, value / den))
        admission.append([ind, hospital + region.id_suffix, period, drawn, den, group])
    return {"discharge": discharge, "planning": planning, "admission_messages": admission}


def write_indicators(inbox: Path, scale: int, seed: int) -> dict[str, int]:
    names = ("discharge", "planning", "admission_messages")
    counts = dict.fromkeys(names, 0)
    with ExitStack() as stack:
        files = {
            k: stack.enter_context(
                open(inbox / f"indicators_{k}.csv", "w", encoding="utf-8", newline="")
            )
            for k in names
        }
        writers = {k: csv.writer(fh, lineterminator="\n") for k, fh in files.items()}
        for writer in writers.values():
            writer.writerow(indicator_model.HEADER)
        for r in range(1, scale + 1):
            for name, rows in _indicator_rows(Region(r), seed).items():
                writers[name].writerows(rows)
                counts[name] += len(rows)
    outcomes = indicator_model.outcome_rows(np.random.default_rng(indicator_model.OUTCOME_SEED))
    with open(inbox / "indicators_outcomes.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(indicator_model.OUTCOME_HEADER)
        writer.writerows(outcomes)
    return {f"indicators_{k}.csv": n for k, n in counts.items()} | {
        "indicators_outcomes.csv": len(outcomes)
    }


# -- interview codings --------------------------------------------------------------------------
CODING_COLUMNS = [
    "Color",
    "Document group",
    "Document name",
    "Code",
    "Beginning",
    "End",
    "Weight score",
    "Segment",
    "Comment",
    "Created by",
    "Created",
    "Area",
    "Coverage %",
]


def write_codings(path: Path, scale: int, seed: int) -> tuple[int, int]:
    """MAXQDA's "coded segments" export of every region; returns (coded segments, documents)."""
    rows = documents = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(CODING_COLUMNS)
        for r in range(1, scale + 1):
            region = Region(r)
            seed_r = interview_model.SEED if r == 1 else _int_seed(seed, r, "codings")
            for doc in interview_model.build(seed_r):
                documents += 1
                length = len(doc.text)
                for seg in doc.segments:
                    for coder in sorted(seg.codes):
                        for code in seg.codes[coder]:
                            day = 5 + (coder != interview_model.CODER_A) * 7
                            writer.writerow(
                                [
                                    "#0072B2" if code.startswith("NPT") else "#D55E00",
                                    doc.group,
                                    doc.name + region.label_suffix,
                                    code,
                                    seg.paragraph,
                                    seg.paragraph,
                                    0,
                                    seg.text,
                                    "",
                                    coder,
                                    f"2018-11-{day:02d} 10:00",
                                    len(seg.text),
                                    f"{100 * len(seg.text) / length:.2f}",
                                ]
                            )
                            rows += 1
    return rows, documents


# -- writing ------------------------------------------------------------------------------------
class _FixedDateZip(ZipFile):
    """A zip whose members all carry one date (the bytes do not depend on the clock); members are
    streamed, never held in memory whole."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        info = self._info(arcname or Path(filename).name)
        with open(filename, "rb") as src, self.open(info, "w", force_zip64=True) as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)

    def _info(self, name: str) -> ZipInfo:
        info = ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
        info.compress_type = ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info


def write_export(
    path: Path, columns: list[str], blocks: Iterator[list[list[object]]], title: str
) -> int:
    """Write an export (xlsx: one sheet "Svar", datetime cells; csv: ``;``, UTF-8 with BOM, CRLF).

    Each row of ``blocks`` starts with the step to its ``Svar-ID`` and the submission time.
    Returns the number of data rows.
    """
    number = n = 0
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
            writer.writerow(columns)
            for block in blocks:
                for step, when, *rest in block:
                    number += step  # type: ignore[operator]
                    stamp = when.strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
                    writer.writerow([number, stamp, *("" if v is None else v for v in rest)])
                    n += 1
        return n
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Svar")
    ws.append(columns)
    for block in blocks:
        for step, when, *rest in block:
            number += step  # type: ignore[operator]
            cell = WriteOnlyCell(ws, value=when)
            cell.number_format = "yyyy-mm-dd hh:mm"
            ws.append([number, cell, *rest])
            n += 1
    wb.properties.creator = "Enkätverktyget (syntetiskt exempel)"
    wb.properties.title = title
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    with _FixedDateZip(path, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()  # not save(): it stamps "modified" with the clock
    return n


# -- the whole project --------------------------------------------------------------------------
def _blocks(cat: Catalogue, scale: int, seed: int, instrument: str, wave: str) -> Iterator[list]:
    labels = AgreeLabels(cat.nomad)
    for r in range(1, scale + 1):
        rng = _rng(seed, r, instrument)
        if instrument == "nomad":
            yield nomad_region(rng, Region(r), cat, labels)[wave]
        else:
            yield pcat_region(rng, Region(r), cat)[wave]


def generate_project(out: Path, *, scale: int, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write the project folder ``out`` (must be empty or missing); returns rows per inbox file."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1; got {scale}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out}: not empty; the benchmark writes a fresh project")
    inbox = out / "inbox"
    inbox.mkdir(parents=True)
    cat = Catalogue.load()
    (out / "project.yaml").write_text(project_yaml(cat, scale, seed), encoding="utf-8")
    shutil.copytree(EXAMPLE / "narrative", out / "narrative")
    roster = cat.project["interviews"]["roster"]
    shutil.copyfile(EXAMPLE / roster, out / roster)
    nomad_columns = [
        *nomad_model.COLUMNS_BEFORE_ITEMS,
        *(i["source_code"] for i in cat.nomad["items"]),
    ]
    pcat_columns = [
        "Svar-ID",
        "Inskickad",
        "E-post",
        "Organisation",
        "Yrkesgrupp",
        *(i["source_code"] for i in cat.pcat["items"]),
    ]
    counts = {}
    for name, columns, instrument, wave in (
        ("nomad_T0.xlsx", nomad_columns, "nomad", "T0"),
        ("nomad_T1.csv", nomad_columns, "nomad", "T1"),
        ("pcat_VT2018.xlsx", pcat_columns, "pcat", "VT2018"),
        ("pcat_HT2018.csv", pcat_columns, "pcat", "HT2018"),
    ):
        title = f"{instrument.upper()} {wave} – syntetiskt benchmark {scale}×"
        blocks = _blocks(cat, scale, seed, instrument, wave)
        counts[name] = write_export(inbox / name, columns, blocks, title)
    counts |= write_indicators(inbox, scale, seed)
    counts["codings_interviews.csv"], counts["interview documents"] = write_codings(
        inbox / "codings_interviews.csv", scale, seed
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="regions (1 = the example's size)")
    parser.add_argument("--out", type=Path, required=True, help="an empty or missing folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    args = parser.parse_args(argv)
    counts = generate_project(args.out, scale=args.scale, seed=args.seed)
    for name, n in counts.items():
        print(f"{name}: {n:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
