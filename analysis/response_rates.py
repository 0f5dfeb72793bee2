"""Response rates: respondents loaded against the number invited, per wave and breakdown.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["ALL", "RESPONSE_RATE_COLUMNS", "response_rates"]

#: Columns of :func:`response_rates` (``response_rates.csv``).
RESPONSE_RATE_COLUMNS: tuple[str, ...] = (
    "instrument",
    "wave",
    "organisation",
    "group",
    "invited",
    "responded",
    "rate",
    "threshold",
    "below_threshold",
)

ALL = "all"
"""The ``organisation`` / ``group`` value of a row that covers every organisation / group."""


def response_rates(
    respondents: pd.DataFrame,
    invited: pd.DataFrame,
    *,
    instrument: str,
    threshold: float = 0.5,
) -> pd.DataFrame:
    """Responded against invited, for every wave (and breakdown) whose invited count is known.

    Parameters
    ----------
    respondents : pandas.DataFrame
        One row per loaded respondent × wave: ``wave``, ``organisation``, ``staff_group`` (the
        store's wide table will do).
    invited : pandas.DataFrame
        ``wave``, ``organisation``, ``group``, ``invited``: one row per known count. ``"all"`` in
        ``organisation`` or ``group`` means every organisation / every staff group (so
        ``("T0", "all", "all", 262)`` is the wave's total from ``Wave.invited``).
    instrument : str
        Written to the ``instrument`` column.
    threshold : float, default 0.5
        Rates below it are flagged (``below_threshold``); ``project.survey.response_rate_threshold``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESPONSE_RATE_COLUMNS`, one row per row of ``invited`` in its order.
        ``responded`` counts respondents of that wave in the breakdown; ``rate`` is
        ``responded / invited`` (NaN when ``invited`` is 0) and may exceed 1 when the invited count
        is out of date — that is shown, not capped.

    Raises
    ------
    ValueError
        When a needed column is absent or ``threshold`` is outside [0, 1].

    Examples
    --------
    >>> resp = pd.DataFrame({"wave": ["T0"] * 3 + ["T1"], "organisation": ["a", "a", "b", "a"],
    ...                      "staff_group": ["nurse", "physician", "nurse", "nurse"]})
    >>> inv = pd.DataFrame({"wave": ["T0", "T0", "T1"], "organisation": ["all", "a", "all"],
    ...                     "group": ["all", "nurse", "all"], "invited": [6, 2, 4]})
    >>> response_rates(resp, inv, instrument="nomad")[["wave", "organisation", "group",
    ...                                                "responded", "rate", "below_threshold"]]
      wave organisation  group  responded  rate  below_threshold
    0   T0          all    all          3  0.50            False
    1   T0            a  nurse          1  0.50            False
    2   T1          all    all          1  0.25             True
    """
    if not 0 <= threshold <= 1:
        raise ValueError(f"response_rates: threshold must lie in [0, 1]; found {threshold!r}")
    for frame, needed, what in (
        (respondents, ("wave", "organisation", "staff_group"), "respondents"),
        (invited, ("wave", "organisation", "group", "invited"), "invited"),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ValueError(f"response_rates: {what} lacks columns {', '.join(missing)}")
    waves = respondents["wave"].astype(str)
    orgs = respondents["organisation"].astype(object)
    groups = respondents["staff_group"].astype(object)
    rows: list[dict[str, object]] = []
    for spec in invited.itertuples(index=False):
        mask = waves == str(spec.wave)
        if str(spec.organisation) != ALL:
            mask &= orgs == spec.organisation
        if str(spec.group) != ALL:
            mask &= groups == spec.group
        responded = int(mask.sum())
        n_invited = int(spec.invited)  # type: ignore[arg-type]
        rate = responded / n_invited if n_invited > 0 else math.nan
        rows.append(
            {
                "instrument": instrument,
                "wave": str(spec.wave),
                "organisation": str(spec.organisation),
                "group": str(spec.group),
                "invited": n_invited,
                "responded": responded,
                "rate": rate,
                "threshold": float(threshold),
                "below_threshold": bool(rate < threshold) if not math.isnan(rate) else False,
            }
        )
    out = pd.DataFrame(rows, columns=list(RESPONSE_RATE_COLUMNS))
    return out.astype(
        {"invited": "int64", "responded": "int64", "rate": "float64", "threshold": "float64",
         "below_threshold": "bool"}
    )  # fmt: skip
