"""Item–rest correlations and alpha if item deleted, per scale and wave.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.columns import table
from analysis.scoring import reverse_items
from instruments.spec import InstrumentSpec

__all__ = ["ITEM_REST_METHOD", "ITEM_STATISTICS_COLUMNS", "item_rest_statistics"]

#: Columns of :func:`item_rest_statistics` (``item_statistics.csv``, :mod:`analysis.columns`).
ITEM_STATISTICS_COLUMNS: tuple[str, ...] = table("item_statistics").columns
ITEM_REST_METHOD = "Pearson item-rest correlation and alpha if item deleted, listwise"


def item_rest_statistics(
    wide: pd.DataFrame, spec: InstrumentSpec, *, by: Sequence[str] = ("wave",)
) -> pd.DataFrame:
    """Item–rest correlations and alpha if item deleted, per scale and wave.

    For each scale the respondents who answered every item are used (as in
    :func:`analysis.reliability.reliability_by_scale`), reverse-keyed items reversed first. The
    item–rest correlation is the Pearson correlation of an item with the sum of the scale's
    *other* items (``psych::alpha``'s ``r.drop``); alpha if deleted is Cronbach's alpha of the
    other items (``alpha.drop$raw_alpha``). A negative item–rest correlation usually means an
    item whose reverse key is missing.

    Parameters
    ----------
    wide : pandas.DataFrame
        The store's wide table, codes not yet reversed.
    spec : instruments.spec.InstrumentSpec
        The instrument.
    by : sequence of str, default ("wave",)
        Grouping columns; must be ``("wave",)`` for now.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_STATISTICS_COLUMNS`; NaN where fewer than 3 complete cases or the
        statistic is undefined (a constant item, or a two-item scale's alpha if deleted).

    Examples
    --------
    Checked against R 4.2.2, psych 2.2.9: ``alpha(d)$item.stats$r.drop`` is 0.9276014470,
    0.8094446585, 0.8599394155 and ``alpha(d)$alpha.drop$raw_alpha`` is 0.8533333333,
    0.9434889435, 0.9090909091:

    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2, 4],
    ...                   "b": [2, 2, 3, 5, 4, 3, 1, 4],
    ...                   "c": [1, 3, 3, 4, 5, 2, 2, 5]})
    >>> _item_rest(d.to_numpy(dtype="float64"))[0].round(10).tolist()
    [0.927601447, 0.8094446585, 0.8599394155]
    >>> _item_rest(d.to_numpy(dtype="float64"))[1].round(10).tolist()
    [0.8533333333, 0.9434889435, 0.9090909091]
    """
    if tuple(by) != ("wave",):
        raise ValueError(f"item_rest_statistics: by must be ('wave',); got {tuple(by)}")
    reversed_wide = reverse_items(wide, spec)
    rows: list[dict[str, object]] = []
    for wave in sorted(reversed_wide["wave"].dropna().unique(), key=str):
        part = reversed_wide[reversed_wide["wave"] == wave]
        for scale in spec.scales:
            if len(scale.items) < 2:
                continue
            values = part[[spec.column(i) for i in scale.items]].to_numpy(dtype="float64")
            complete = values[~np.isnan(values).any(axis=1)]
            n = complete.shape[0]
            r, alpha_drop = _item_rest(complete) if n >= 3 else _undefined(len(scale.items))
            base = {"instrument": spec.id, "wave": wave, "scale": scale.id, "n": n}
            rows.extend(
                base
                | {"item": item_id, "r_item_rest": float(r[j])}
                | {"alpha_if_deleted": float(alpha_drop[j]), "method": ITEM_REST_METHOD}
                for j, item_id in enumerate(scale.items)
            )
    out = pd.DataFrame(rows, columns=list(ITEM_STATISTICS_COLUMNS))
    return out.astype({"n": "int64", "r_item_rest": "float64", "alpha_if_deleted": "float64"})


def _undefined(k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(k, np.nan), np.full(k, np.nan)


def _item_rest(complete: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(item–rest correlations, alpha if deleted) for a complete n × k array."""
    k = complete.shape[1]
    total = complete.sum(axis=1)
    r, alpha_drop = _undefined(k)
    for j in range(k):
        rest = total - complete[:, j]
        if complete[:, j].std() > 0 and rest.std() > 0:
            r[j] = np.corrcoef(complete[:, j], rest)[0, 1]
        others = np.delete(complete, j, axis=1)
        if others.shape[1] >= 2:
            variance = others.sum(axis=1).var(ddof=1)
            if variance > 0:
                m = others.shape[1]
                alpha_drop[j] = m / (m - 1) * (1 - others.var(axis=0, ddof=1).sum() / variance)
    return r, alpha_drop
