"""Published reliability data the agreement tests share (each source cited where it is used)."""

from __future__ import annotations

import math

import pandas as pd

NAN = math.nan

#: Krippendorff (2011), section C: observers A-D (rows) x units 1-12; NaN = not coded.
KRIPP_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
#: Krippendorff (2004), section 11.3.3: 3 observers x 15 units.
KRIPP_15 = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]
#: Cohen (1968): his proportions times 200 subjects, and his disagreement weights.
COHEN_1968 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
COHEN_WEIGHTS = [[0, 1, 3], [1, 0, 6], [3, 6, 0]]


def long(matrix: list[list[float]], coders: list[str] | None = None) -> pd.DataFrame:
    """Observers × units (NaN = not coded) as reliability data: ``unit, coder, value``."""
    coders = coders or [chr(ord("A") + i) for i in range(len(matrix))]
    rows = [
        {"unit": u + 1, "coder": c, "value": v}
        for c, values in zip(coders, matrix, strict=True)
        for u, v in enumerate(values)
    ]
    return pd.DataFrame(rows)
