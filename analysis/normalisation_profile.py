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

from analysis.columns import check_table, table
from instruments.spec import InstrumentSpec

__all__ = ["PROFILE_COLUMNS", "normalisation_profile", "traffic_light"]

#: Columns of :func:`normalisation_profile` (``normalisation_profile.csv``, :mod:`analysis.columns`).
PROFILE_COLUMNS: tuple[str, ...] = table("normalisation_profile").columns


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


def _profile_row(
    summary: pd.Series, bounds: tuple[float, float], lights: tuple[float, float]
) -> dict[str, object]:
    """One row's numbers from a summary row, its score range and the two band bounds."""
    (low, high), (green, yellow) = bounds, lights
    mean = float(summary["mean"])
    return {
        "n": int(summary["n"]),
        "mean": mean,
        "std_error": float(summary["std_error"]),
        "ci_low": float(summary["ci_low"]),
        "ci_high": float(summary["ci_high"]),
        "range_low": float(low),
        "range_high": float(high),
        "green_from": low + green * (high - low),
        "yellow_from": low + yellow * (high - low),
        "light": traffic_light(mean, low=low, high=high, green=green, yellow=yellow),
    }


def _wave_rows(
    spec: InstrumentSpec, scores: pd.DataFrame, items: pd.DataFrame | None, lights: tuple
) -> list[dict[str, object]]:
    """The rows of one wave: mean scales in spec order, then the numeric items."""
    rows: list[dict[str, object]] = []
    for scale in spec.scales:
        match = scores[scores["scale"] == scale.id]
        if scale.method == "mean" and not match.empty:
            rows.append(
                {"scale": scale.id}
                | _profile_row(match.iloc[0], spec.score_range(scale.id), lights)
            )
    numeric = [it.id for it in spec.items if spec.response_sets[it.response_set].type == "numeric"]
    for item_id in numeric if items is not None else []:
        match = items[items["item"] == item_id]  # type: ignore[index]
        if not match.empty:
            rs = spec.response_set_of(item_id)
            rows.append({"item": item_id} | _profile_row(match.iloc[0], (rs.low, rs.high), lights))
    return rows


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
        (``scale`` set, ``item`` empty), then the numeric items (``item`` set, ``scale`` empty).
        ``green_from`` and ``yellow_from`` are the thresholds on the row's own range; ``light``
        is None where the mean is NaN. Empty when the instrument has no mean scales.
    """
    if not 0 <= yellow <= green <= 1:
        raise ValueError(
            f"normalisation_profile: need 0 <= yellow <= green <= 1; got {yellow}, {green}"
        )
    if not any(sc.method == "mean" for sc in spec.scales):
        return pd.DataFrame(columns=list(PROFILE_COLUMNS))
    scores = score_summaries[
        (score_summaries["group_by"] == "all") & (score_summaries["instrument"] == spec.id)
    ]
    items = None
    if item_summaries is not None:
        items = item_summaries[item_summaries["instrument"] == spec.id]
    rows: list[dict[str, object]] = []
    for wave in sorted(set(scores["wave"].astype(str)), key=str):
        in_wave = scores[scores["wave"].astype(str) == wave]
        of_wave = None if items is None else items[items["wave"].astype(str) == wave]
        rows.extend(
            {"instrument": spec.id, "wave": wave} | row
            for row in _wave_rows(spec, in_wave, of_wave, (green, yellow))
        )
    out = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
    return check_table("normalisation_profile", out)
