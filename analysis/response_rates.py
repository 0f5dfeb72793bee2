"""Response rates: respondents loaded against the number invited, per wave and breakdown.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.columns import table
from project.config import Project

__all__ = ["ALL", "RESPONSE_RATE_COLUMNS", "invited_counts", "response_rates", "with_rosters"]

#: Columns of :func:`response_rates` (``response_rates.csv``, :mod:`analysis.columns`).
RESPONSE_RATE_COLUMNS: tuple[str, ...] = table("response_rates").columns
_INVITED_COLUMNS = ["wave", "organisation", "staff_group", "invited"]

ALL = "all"
"""The ``organisation`` / ``staff_group`` value of a row that covers every organisation / group."""


def invited_counts(project: Project, instrument: str) -> pd.DataFrame:
    """The invited counts project.yaml declares for an instrument's waves: the wave's total
    (``Wave.invited``) as ``("all", "all")``, then each ``invited_by`` count.

    Returns
    -------
    pandas.DataFrame
        ``wave, organisation, staff_group, invited`` (``"all"`` where a count covers every
        organisation or staff group), in project.yaml's order.
    """
    waves = [w for w in project.waves if w.instrument == instrument]
    rows = [
        {"wave": w.id, "organisation": ALL, "staff_group": ALL, "invited": w.invited}
        for w in waves
        if w.invited is not None
    ]
    rows += [
        {
            "wave": w.id,
            "organisation": c.organisation or ALL,
            "staff_group": c.staff_group or ALL,
            "invited": c.invited,
        }
        for w in waves
        for c in w.invited_by
    ]
    return pd.DataFrame(rows, columns=_INVITED_COLUMNS)


def _check(respondents: pd.DataFrame, invited: pd.DataFrame, threshold: float) -> None:
    if not 0 <= threshold <= 1:
        raise ValueError(f"response_rates: threshold must lie in [0, 1]; found {threshold!r}")
    for frame, needed, what in (
        (respondents, ("wave", "organisation", "staff_group"), "respondents"),
        (invited, _INVITED_COLUMNS, "invited"),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ValueError(f"response_rates: {what} lacks columns {', '.join(missing)}")


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
        ``wave``, ``organisation``, ``staff_group``, ``invited``: one row per known count
        (:func:`invited_counts`). ``"all"`` means every organisation / every staff group.
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

    Examples
    --------
    >>> resp = pd.DataFrame({"wave": ["T0"] * 3 + ["T1"], "organisation": ["a", "a", "b", "a"],
    ...                      "staff_group": ["nurse", "physician", "nurse", "nurse"]})
    >>> inv = pd.DataFrame({"wave": ["T0", "T0", "T1"], "organisation": ["all", "a", "all"],
    ...                     "staff_group": ["all", "nurse", "all"], "invited": [6, 2, 4]})
    >>> response_rates(resp, inv, instrument="nomad")[["wave", "organisation", "staff_group",
    ...                                                "responded", "rate", "below_threshold"]]
      wave organisation staff_group  responded  rate  below_threshold
    0   T0          all         all          3  0.50            False
    1   T0            a       nurse          1  0.50            False
    2   T1          all         all          1  0.25             True
    """
    _check(respondents, invited, threshold)
    waves = respondents["wave"].astype(str)
    orgs = respondents["organisation"].astype(object)
    groups = respondents["staff_group"].astype(object)
    rows: list[dict[str, object]] = []
    for count in invited.itertuples(index=False):
        mask = waves == str(count.wave)
        if str(count.organisation) != ALL:
            mask &= orgs == count.organisation
        if str(count.staff_group) != ALL:
            mask &= groups == count.staff_group
        responded = int(mask.sum())
        n_invited = int(count.invited)  # type: ignore[arg-type]
        rate = responded / n_invited if n_invited > 0 else math.nan
        row: dict[str, object] = {"instrument": instrument, "wave": str(count.wave)}
        rows.append(
            row
            | {"organisation": str(count.organisation), "staff_group": str(count.staff_group)}
            | {"invited": n_invited, "responded": responded, "rate": rate}
            | {"threshold": float(threshold), "below_threshold": bool(rate < threshold)}
        )
    out = pd.DataFrame(rows, columns=list(RESPONSE_RATE_COLUMNS))
    numbers = {"invited": "int64", "responded": "int64", "rate": "float64", "threshold": "float64"}
    return out.astype(numbers | {"below_threshold": "bool"})


def with_rosters(declared: pd.DataFrame, rosters: pd.DataFrame | None) -> pd.DataFrame:
    """The invited counts to use: a wave's roster counts where it has a roster, project.yaml's
    hand-typed counts for the other waves (both as :func:`invited_counts` gives them).

    >>> declared = pd.DataFrame({"wave": ["T0", "T1"], "organisation": "all",
    ...                          "staff_group": "all", "invited": [10, 12]})
    >>> rosters = pd.DataFrame({"wave": ["T1"], "organisation": "all",
    ...                         "staff_group": "all", "invited": [14]})
    >>> with_rosters(declared, rosters)["invited"].tolist()
    [10, 14]
    """
    if rosters is None or rosters.empty:
        return declared
    kept = declared[~declared["wave"].isin(set(rosters["wave"]))]
    return pd.concat([kept, rosters[_INVITED_COLUMNS]], ignore_index=True)
