"""Is the respondent identifier column a person's identifier at all?

The identifier links a person's answers across waves (it is pseudonymised with the project key,
and the same person gets the same pseudonym in every wave). A survey tool's running number
(``1, 2, 3, …``: the *n*-th answer of this export; distinct whole numbers no larger than about twice
the number of rows, gaps allowed for deleted answers) or the submission time is not such an id: the
first answer of T0 and the first answer of T1 would count as the same person, silently. Such a
column is refused unless the export profile says it is a real identifier
(``identifier_is_stable: true``).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ingest.read import is_blank
from project.errors import ResponseDataError

#: Fewer non-blank identifiers than this say nothing about the column.
MIN_VALUES = 3
_DIGITS = re.compile(r"^\d{1,9}$")
_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})([ T]\d{1,2}[:.]\d{2}([:.]\d{2}(\.\d+)?)?)?$"
)


def _counter(values: list[object]) -> str | None:
    numbers = []
    for v in values:
        if isinstance(v, bool):
            return None
        if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
            numbers.append(int(v))
        elif isinstance(v, str) and _DIGITS.match(v.strip()):
            numbers.append(int(v.strip()))
        else:
            return None
    low, high, n = min(numbers), max(numbers), len(numbers)
    if low >= 0 and len(set(numbers)) == n and high < 2 * n + 10:
        return f"a row counter (the numbers {low}…{high} for {n} rows)"
    return None


def _timestamp(values: list[object]) -> str | None:
    for v in values:
        if isinstance(v, dt.date | dt.datetime | pd.Timestamp):
            continue
        if not (isinstance(v, str) and _TIMESTAMP.match(v.strip())):
            return None
    return "a date or submission time"


def check_identifier(
    cells: pd.Series, *, column: str, file_name: str, profile_id: str, stable: bool
) -> None:
    """Refuse an identifier column that is a row counter (1…n) or a timestamp.

    Raises
    ------
    ResponseDataError
        Naming the column and what it looks like, unless ``stable`` (the export profile's
        ``identifier_is_stable``).
    """
    if stable:
        return
    values = [v for v in cells.tolist() if not is_blank(v)]
    if len(values) < MIN_VALUES:
        return
    looks = _counter(values) or _timestamp(values)
    if looks is None:
        return
    raise ResponseDataError(
        f"{file_name}: the identifier column {column} looks like {looks}, not a person's "
        f"identifier; used as one, it would link unrelated people across waves. Expected a "
        f"stable id such as the e-mail address. Hint: export the e-mail column, or, if {column} "
        f"is the same person's id in every wave, set identifier_is_stable: true in the export "
        f"profile (profiles/{profile_id}.yaml)."
    )
