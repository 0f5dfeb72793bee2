"""The generated suites evaluated with pandas: the same failing rows as great-expectations.

Each supported expectation type is a vectorised mask over the frame, with great-expectations'
semantics (measured against it in ``tests/validation/test_plain_vs_gx.py``):

- column expectations ignore missing values (None, NaN, NaT), except ``NotBeNull``;
- ``ToBeUnique`` fails every occurrence of a repeated value;
- ``ToBeBetween`` fails values below ``min_value`` (at it with ``strict_min``) or above
  ``max_value``; on a datetime column the bounds are ISO dates and times;
- ``CompoundColumnsToBeUnique`` fails every occurrence of a repeated combination, leaving out rows
  whose columns are all missing; a missing value equals a missing value.

An expectation type not listed here is a bug in a suite generator and raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from validation.expectations import Expectation, describe_failure, failure_column

Mask = Callable[[pd.DataFrame, dict], pd.Series]


def _not_null(frame: pd.DataFrame, kwargs: dict) -> pd.Series:
    return frame[kwargs["column"]].isna()


def _unique(frame: pd.DataFrame, kwargs: dict) -> pd.Series:
    column = frame[kwargs["column"]]
    return column.notna() & column.duplicated(keep=False)


def _in_set(frame: pd.DataFrame, kwargs: dict) -> pd.Series:
    column = frame[kwargs["column"]]
    return column.notna() & ~column.isin(list(kwargs["value_set"]))


def _bound(column: pd.Series, value: object) -> object:
    if pd.api.types.is_datetime64_any_dtype(column):
        return pd.Timestamp(value)  # type: ignore[arg-type]
    return value


def _between(frame: pd.DataFrame, kwargs: dict) -> pd.Series:
    column = frame[kwargs["column"]]
    present = column.notna()
    outside = pd.Series(False, index=frame.index)
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    values = column[present]
    if low is not None:
        bound = _bound(column, low)
        below = values <= bound if kwargs.get("strict_min") else values < bound
        outside[present] |= below.to_numpy(dtype=bool)
    if high is not None:
        bound = _bound(column, high)
        above = values >= bound if kwargs.get("strict_max") else values > bound
        outside[present] |= above.to_numpy(dtype=bool)
    return outside


def _compound_unique(frame: pd.DataFrame, kwargs: dict) -> pd.Series:
    part = frame[list(kwargs["column_list"])]
    considered = ~part.isna().all(axis=1)
    repeated = part[considered].astype(object).where(part[considered].notna(), None)
    out = pd.Series(False, index=frame.index)
    out[considered] = repeated.duplicated(keep=False).to_numpy(dtype=bool)
    return out


MASKS: dict[str, Mask] = {
    "ExpectColumnValuesToNotBeNull": _not_null,
    "ExpectColumnValuesToBeUnique": _unique,
    "ExpectColumnValuesToBeInSet": _in_set,
    "ExpectColumnValuesToBeBetween": _between,
    "ExpectCompoundColumnsToBeUnique": _compound_unique,
}


def run_suite(frame: pd.DataFrame, expectations: Sequence[Expectation]) -> list[dict]:
    """Validate ``frame`` and list failures as ``{"position", "rule", "column", "detail"}``."""
    frame = frame.reset_index(drop=True)
    failures: list[dict] = []
    for exp in expectations:
        mask = MASKS.get(exp.type)
        if mask is None:
            raise ValueError(f"no pandas evaluator for expectation {exp.type}")
        column = exp.kwargs.get("column")
        positions = np.flatnonzero(mask(frame, exp.kwargs).to_numpy(dtype=bool))
        values = (
            frame[column].to_numpy(dtype=object)[positions] if column else [None] * len(positions)
        )
        failures += [
            {
                "position": int(pos),
                "rule": exp.meta.get("rule", exp.type),
                "column": failure_column(exp.kwargs),
                "detail": describe_failure(exp.meta, value),
            }
            for pos, value in zip(positions, values, strict=True)
        ]
    return failures
