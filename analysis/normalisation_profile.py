"""The normalisation profile: every mean scale of an instrument side by side per wave, with a
traffic light, and the instrument's general (numeric) items beside them.

The traffic light places a mean within its score range: with ``green = 0.75`` and
``yellow = 0.5`` (our defaults, not NoMAD's; see ``docs/survey-statistics.md``) a NoMAD construct
mean on 1–5 is green from 4.0, yellow from 3.0 and red below; a 0–10 general item is green from
7.5 and yellow from 5.0. Sum scales are skipped (their range depends on how many items were
answered only through prorating, and a light on a sum is rarely what readers expect).

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math

import pandas as pd

from instruments.spec import InstrumentSpec

__all__ = ["PROFILE_COLUMNS", "normalisation_profile", "traffic_light"]

#: Columns of :func:`normalisation_profile` (``normalisation_profile.csv``).
PROFILE_COLUMNS: tuple[str, ...] = (
    "instrument",
    "wave",
    "kind",
    "measure",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "range_low",
    "range_high",
    "green_from",
    "yellow_from",
    "light",
)


def traffic_light(
    mean: float, *, low: float, high: float, green: float = 0.75, yellow: float = 0.5
) -> str | None:
    """``"green"``, ``"yellow"`` or ``"red"`` for a mean on ``[low, high]``; None when NaN.

    >>> traffic_light(4.0, low=1, high=5), traffic_light(3.99, low=1, high=5)
    ('green', 'yellow')
    >>> traffic_light(2.9, low=1, high=5), traffic_light(float("nan"), low=1, high=5)
    ('red', None)
    """
    if mean is None or math.isnan(mean):
        return None
    if mean >= low + green * (high - low):
        return "green"
    if mean >= low + yellow * (high - low):
        return "yellow"
    return "red"


def normalisation_profile(
    score_summaries: pd.DataFrame,
    item_summaries: pd.DataFrame | None,
    spec: InstrumentSpec,
    *,
    green: float = 0.75,
    yellow: float = 0.5,
) -> pd.DataFrame:
    """Mean scales and general items per wave with their interval and traffic light.

    Parameters
    ----------
    score_summaries : pandas.DataFrame
        Output of :func:`analysis.summaries.summarise_scores`; only rows with ``group_by ==
        "all"`` and ``instrument == spec.id`` are used.
    item_summaries : pandas.DataFrame or None
        Output of :func:`analysis.summaries.summarise_items` (numeric items), or None.
    spec : instruments.spec.InstrumentSpec
        The instrument: scale order, score ranges, which scales are means.
    green, yellow : float
        Lower bounds of the green and yellow bands as shares of the score range
        (``project.survey.traffic_lights``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROFILE_COLUMNS`: per wave (sorted) the mean scales in spec order
        (``kind = "scale"``, ``measure`` the scale id), then the numeric items (``kind =
        "general_item"``, ``measure`` the item id). ``green_from`` and ``yellow_from`` are the
        thresholds on the measure's own range; ``light`` is None where the mean is NaN. Empty when
        the instrument has no mean scales.
    """
    if not 0 <= yellow <= green <= 1:
        raise ValueError(
            f"normalisation_profile: need 0 <= yellow <= green <= 1; got {yellow}, {green}"
        )
    mean_scales = [sc for sc in spec.scales if sc.method == "mean"]
    if not mean_scales:
        return pd.DataFrame(columns=list(PROFILE_COLUMNS))
    scores = score_summaries[
        (score_summaries["group_by"] == "all") & (score_summaries["instrument"] == spec.id)
    ]
    numeric = [it.id for it in spec.items if spec.response_sets[it.response_set].type == "numeric"]
    items = (
        item_summaries[
            (item_summaries["instrument"] == spec.id) & item_summaries["item"].isin(numeric)
        ]
        if item_summaries is not None
        else None
    )
    waves = sorted(set(scores["wave"].astype(str)), key=str)
    rows: list[dict[str, object]] = []

    def row(wave: str, kind: str, measure: str, r: pd.Series, low: float, high: float) -> dict:
        mean = float(r["mean"])
        return {
            "instrument": spec.id,
            "wave": wave,
            "kind": kind,
            "measure": measure,
            "n": int(r["n"]),
            "mean": mean,
            "ci_low": float(r["ci_low"]),
            "ci_high": float(r["ci_high"]),
            "range_low": float(low),
            "range_high": float(high),
            "green_from": low + green * (high - low),
            "yellow_from": low + yellow * (high - low),
            "light": traffic_light(mean, low=low, high=high, green=green, yellow=yellow),
        }

    for wave in waves:
        in_wave = scores[scores["wave"].astype(str) == wave]
        for scale in mean_scales:
            match = in_wave[in_wave["scale"] == scale.id]
            if match.empty:
                continue
            low, high = spec.score_range(scale.id)
            rows.append(row(wave, "scale", scale.id, match.iloc[0], low, high))
        if items is not None:
            item_rows = items[items["wave"].astype(str) == wave]
            for item_id in numeric:
                match = item_rows[item_rows["item"] == item_id]
                if match.empty:
                    continue
                rs = spec.response_set_of(item_id)
                rows.append(row(wave, "general_item", item_id, match.iloc[0], rs.low, rs.high))
    out = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
    return out.astype({"n": "int64"} | {c: "float64" for c in PROFILE_COLUMNS[5:12]})
