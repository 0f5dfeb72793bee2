"""Write ``its_series.csv``: synthetic series for the ITS golden tests (seeded, deterministic).

    .venv/bin/python tests/data/analysis/make_its_series.py

Series (long: series, period, value, denominator):
- ``counts_monthly``: 48 months from 2015-01, intervention 2017-07, counts with a population
  denominator, a seasonal cycle and over-dispersion (gamma-Poisson);
- ``gauss_monthly``: 40 months from 2016-01, intervention 2018-02, AR(1) errors and seasonality;
- ``counts_quarterly``: 24 quarters from 2012-Q1, intervention 2016-01, counts without denominator;
- ``gauss_monthly_control``: a control for ``gauss_monthly`` (same months, its trend and season, no
  intervention), for the controlled ITS by difference;
- ``counts_monthly_control``: a control count for ``counts_monthly`` (same months), for the
  controlled ITS with the control as offset.

The control series come from a second generator, so the first three series are as they always were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "its_series.csv"


def main() -> None:
    rng = np.random.default_rng(20240611)
    parts = []
    p = pd.date_range("2015-01-01", periods=48, freq="MS")
    t = np.arange(48)
    post = (p >= "2017-07-01").astype(float)
    den = np.round(50_000 + 40 * t + rng.normal(0, 300, 48))
    rate = np.exp(
        np.log(3e-3)
        + 0.004 * t
        - 0.35 * post
        - 0.01 * post * (t - 30)
        + 0.15 * np.sin(2 * np.pi * p.month / 12)
    )
    mu = den * rate
    y = rng.poisson(rng.gamma(20, mu / 20))
    parts.append(
        pd.DataFrame({"series": "counts_monthly", "period": p, "value": y, "denominator": den})
    )

    p = pd.date_range("2016-01-01", periods=40, freq="MS")
    t = np.arange(40)
    post = (p >= "2018-02-01").astype(float)
    e = np.zeros(40)
    for i in range(40):
        e[i] = (0.5 * e[i - 1] if i else 0) + rng.normal(0, 60)
    y = 1700 + 3 * t - 950 * post + 5 * post * (t - 25) + 120 * np.cos(2 * np.pi * p.month / 12) + e
    parts.append(
        pd.DataFrame(
            {"series": "gauss_monthly", "period": p, "value": np.round(y, 1), "denominator": np.nan}
        )
    )

    p = pd.date_range("2012-01-01", periods=24, freq="QS")
    t = np.arange(24)
    post = (p >= "2016-01-01").astype(float)
    y = rng.poisson(np.exp(np.log(200) + 0.01 * t + 0.3 * post - 0.02 * post * (t - 16)))
    parts.append(
        pd.DataFrame({"series": "counts_quarterly", "period": p, "value": y, "denominator": np.nan})
    )

    parts += _controls(np.random.default_rng(20261204))
    out = pd.concat(parts, ignore_index=True)
    out["period"] = out["period"].dt.strftime("%Y-%m-%d")
    out.to_csv(OUT, index=False)


def _controls(rng: np.random.Generator) -> list[pd.DataFrame]:
    p = pd.date_range("2016-01-01", periods=40, freq="MS")
    t = np.arange(40)
    e = np.zeros(40)
    for i in range(40):
        e[i] = (0.4 * e[i - 1] if i else 0) + rng.normal(0, 40)
    y = 900 + 2.5 * t + 90 * np.cos(2 * np.pi * p.month / 12) + e
    gauss = pd.DataFrame(
        {"series": "gauss_monthly_control", "period": p, "value": np.round(y, 1)}
        | {"denominator": np.nan}
    )
    p = pd.date_range("2015-01-01", periods=48, freq="MS")
    t = np.arange(48)
    mu = np.exp(np.log(400) + 0.003 * t + 0.12 * np.sin(2 * np.pi * p.month / 12))
    counts = pd.DataFrame(
        {"series": "counts_monthly_control", "period": p, "value": rng.poisson(mu)}
        | {"denominator": np.nan}
    )
    return [gauss, counts]


if __name__ == "__main__":
    main()
