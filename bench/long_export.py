"""The long-export case: one NoMAD wave as a long CSV (one line per respondent × item) of about N
lines, ingested with ``impleval ingest`` — the ingest's per-line reading and mapping at volume.

SYNTHETIC DATA, NO REAL PERSONS: identifiers are ``person<k>@bench.example``. The file goes into
``exports/`` of a fresh 1× project (not its inbox) with an export profile ``profiles/long.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PROFILE = """id: long
identifier: [E-post]
timestamp: [Inskickad]
staff_group: [Yrkesgrupp]
layout: long
item_column: [Fråga]
value_column: [Svar]
"""
LABELS = ["Instämmer inte alls", "Instämmer inte", "Varken eller", "Instämmer", "Instämmer helt"]
GROUPS = ["Sjuksköterska", "Läkare", "Undersköterska", "Arbetsterapeut"]


def write_long_export(project: Path, rows: int) -> tuple[Path, int]:
    """Write the profile and ``exports/nomad_T1_long.csv``; returns (file, respondents)."""
    (project / "profiles").mkdir(exist_ok=True)
    (project / "profiles" / "long.yaml").write_text(PROFILE, encoding="utf-8")
    spec = yaml.safe_load(
        (REPO / "instruments" / "nomad" / "instrument.yaml").read_text(encoding="utf-8")
    )
    items = [(str(i["source_code"]), i["response_set"]) for i in spec["items"]]
    respondents = -(-rows // len(items))
    path = project / "exports" / "nomad_T1_long.csv"
    path.parent.mkdir(exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("E-post;Inskickad;Yrkesgrupp;Fråga;Svar\n")
        written = 0
        for r in range(respondents):
            stamp = f"2019-02-{4 + r % 18:02d} {8 + r % 9:02d}:{r % 60:02d}"
            head = f"person{r}@bench.example;{stamp};{GROUPS[r % 4]};"
            for k, (code, rset) in enumerate(items):
                if written == rows:
                    break
                answer = str((r + k) % 11) if rset == "scale_0_10" else LABELS[(r * 7 + k) % 5]
                fh.write(f"{head}{code};{answer}\n")
                written += 1
    return path, respondents
