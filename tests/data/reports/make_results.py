"""Write the synthetic results CSVs the report tests read (no real persons or answers).

Run from the repository root to regenerate them:

    .venv/bin/python tests/data/reports/make_results.py

Respondents are simulated from the NoMAD spec, then summarised the way the analyse stage's files
are shaped (unrounded, with the columns of the results contract, analysis/columns.py). One staff group (unit_manager) has n = 3 in each wave so that the small-cell
rule is exercised; the next smallest group then gets complementary suppression.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis.columns import check_table
from instruments.spec import load_instrument

OUT = Path(__file__).resolve().parent / "results"
SPEC = load_instrument("nomad")
RNG = np.random.default_rng(20261123)

GROUPS = {
    "T0": {
        "nurse": 18,
        "district_nurse": 10,
        "physician": 8,
        "unit_manager": 3,
        "care_needs_assessor": 6,
        "occupational_therapist": 5,
    },
    "T1": {
        "nurse": 16,
        "district_nurse": 9,
        "physician": 7,
        "unit_manager": 3,
        "care_needs_assessor": 7,
        "occupational_therapist": 5,
    },
}
ORGS = ["hosp_alvstad", "hosp_fjallby", "hc_norrmalm", "hc_strand", "soc_alvstad"]
ORG_P = [0.4, 0.3, 0.15, 0.1, 0.05]
SHIFT = {"T0": 0.0, "T1": 0.45}
NA_KEYS = ["not_relevant_role", "not_relevant_stage", "not_relevant_intervention"]
# The method text analysis.reliability.alpha_method() writes.
ALPHA_METHOD = "Cronbach's alpha, listwise; 95% CI Feldt (F distribution)"


def simulate(wave: str) -> pd.DataFrame:
    groups = [g for g, k in GROUPS[wave].items() for _ in range(k)]
    n = len(groups)
    latent = RNG.normal(0.0, 0.8, n) + SHIFT[wave]
    rows: dict[str, object] = {
        "staff_group": groups,
        "organisation": RNG.choice(ORGS, size=n, p=ORG_P),
    }
    for item in SPEC.items:
        rs = SPEC.response_sets[item.response_set]
        if rs.type == "numeric":
            x = np.clip(np.round(5 + 2 * latent + RNG.normal(0, 1.5, n)), 0, 10)
            x[RNG.random(n) < 0.04] = np.nan
            rows[item.id] = x
            continue
        x = np.clip(np.round(3.3 + latent + RNG.normal(0, 0.8, n)), 1, 5)
        if item.reverse:
            x = 6 - x
        values = x.astype(object)
        u = RNG.random(n)
        values[u < 0.08] = RNG.choice(NA_KEYS, size=int((u < 0.08).sum()))
        values[(u >= 0.08) & (u < 0.11)] = None
        rows[item.id] = values
    return pd.DataFrame(rows)


def scored(df: pd.DataFrame, item_id: str) -> pd.Series:
    return pd.to_numeric(df[item_id].where(~df[item_id].isin(NA_KEYS)), errors="coerce")


def scores(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for scale in SPEC.scales:
        items = pd.DataFrame({i: scored(df, i) for i in scale.items})
        for i in scale.items:
            if SPEC.item(i).reverse:
                items[i] = 6 - items[i]
        ok = items.notna().sum(axis=1) >= scale.required_answers()
        out[scale.id] = items.mean(axis=1).where(ok)
    return pd.DataFrame(out)


def describe(x: pd.Series) -> dict[str, float]:
    x = x.dropna()
    n = len(x)
    mean = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "median": float(x.median()) if n else np.nan,
        "q1": float(x.quantile(0.25)) if n else np.nan,
        "q3": float(x.quantile(0.75)) if n else np.nan,
        "std_error": sd / np.sqrt(n) if n > 1 else np.nan,
        "ci_low": mean - half,
        "ci_high": mean + half,
    }


def alpha(items: pd.DataFrame) -> dict[str, float]:
    complete = items.dropna()
    n, k = complete.shape
    var_items = complete.var(ddof=1).sum()
    var_total = complete.sum(axis=1).var(ddof=1)
    a = k / (k - 1) * (1 - var_items / var_total)
    # Feldt (1965) interval, as psych::alpha.ci / pingouin
    lo = 1 - (1 - a) * stats.f.ppf(0.975, n - 1, (n - 1) * (k - 1))
    hi = 1 - (1 - a) * stats.f.ppf(0.025, n - 1, (n - 1) * (k - 1))
    return {
        "group_by": "all",
        "group": "all",
        "measure": "cronbach_alpha",
        "n": n,
        "k_items": k,
        "estimate": a,
        "ci_low": lo,
        "ci_high": hi,
        "method": ALPHA_METHOD,
        "note": "",
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rel, sc, summ, dist, ingest, reasons = [], [], [], [], [], []
    for wave in GROUPS:
        df = simulate(wave)
        sco = scores(df)
        for scale in SPEC.scales:
            items = pd.DataFrame({i: scored(df, i) for i in scale.items})
            for i in scale.items:
                if SPEC.item(i).reverse:
                    items[i] = 6 - items[i]
            rel.append({"instrument": "nomad", "wave": wave, "scale": scale.id, **alpha(items)})
            base = {"instrument": "nomad", "wave": wave, "scale": scale.id}
            sc.append({**base, "group_by": "all", "group": "all", **describe(sco[scale.id])})
            for by in ("staff_group", "organisation"):
                for g, part in sco[scale.id].groupby(df[by], sort=True):
                    sc.append({**base, "group_by": by, "group": g, **describe(part)})
        for item in SPEC.items:
            base = {"instrument": "nomad", "wave": wave, "item": item.id}
            if SPEC.response_sets[item.response_set].type == "numeric":
                d = describe(df[item.id].astype(float))
                summ.append({**base, **d})
                continue
            col = df[item.id]
            total = len(col)
            num = scored(df, item.id)
            n_scored = int(num.notna().sum())
            for code in SPEC.response_set_of(item.id).codes:
                k = int((num == code).sum())
                dist.append(
                    {
                        **base,
                        "response_kind": "scored",
                        "response": str(code),
                        "n": k,
                        "share": k / total,
                        "share_of_scored": k / n_scored,
                    }
                )
            for key in NA_KEYS:
                k = int((col == key).sum())
                dist.append(
                    {
                        **base,
                        "response_kind": "not_applicable",
                        "response": key,
                        "n": k,
                        "share": k / total,
                        "share_of_scored": np.nan,
                    }
                )
            k = int(col.isna().sum())
            dist.append(
                {
                    **base,
                    "response_kind": "missing",
                    "response": "missing",
                    "n": k,
                    "share": k / total,
                    "share_of_scored": np.nan,
                }
            )
        loaded = len(df)
        ingest.append(
            {
                "kind": "survey",
                "instrument": "nomad",
                "wave": wave,
                "file": f"nomad_{wave}.xlsx",
                "sha256": hashlib.sha256(f"nomad_{wave}.xlsx".encode()).hexdigest(),
                "rows_read": loaded + 2,
                "rows_loaded": loaded,
                "rows_quarantined": 2,
            }
        )
        reasons += [
            {"instrument": "nomad", "wave": wave, "rule": "duplicate_respondent", "n": 1},
            {"instrument": "nomad", "wave": wave, "rule": "out_of_set", "n": 1},
        ]
    for name, rows in (
        ("reliability", rel),
        ("scale_scores", sc),
        ("item_summaries", summ),
        ("item_distributions", dist),
        ("ingest_summary", ingest),
        ("quarantine_reasons", reasons),
    ):
        check_table(name, pd.DataFrame(rows)).to_csv(OUT / f"{name}.csv", index=False)


if __name__ == "__main__":
    main()
