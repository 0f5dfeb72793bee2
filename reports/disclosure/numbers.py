"""Rounding and number formatting: the one place where a result becomes text.

Swedish: decimal comma, a non-breaking space between thousands, ``45 %``; English: decimal point,
comma between thousands, ``45%``. Halves are rounded away from zero (2.675 → 2.68), not to even;
a negative number gets a typographic minus. Missing values come out as ``..``
(:data:`NOT_AVAILABLE`). p-values are written one way everywhere (:func:`format_p`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

SUPPRESSED = "–"
"""Shown instead of a value withheld by the small-cell rule."""
NOT_AVAILABLE = ".."
"""Shown instead of a value that could not be computed (e.g. no CI for one respondent)."""
P_FLOOR = 0.001
"""p-values below this are written as ``<0,001`` (``<0.001``), never as ``0,000``."""

NBSP = "\u00a0"
MINUS = "\u2212"


def is_missing(x: object) -> bool:
    """Whether ``x`` is a missing value (``None``, ``NA``, ``NaT`` or a NaN of any numeric type).

    >>> is_missing(float("nan")), is_missing(pd.NA), is_missing(0), is_missing("")
    (True, True, False, False)
    """
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(math.isnan(float(x)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _round(x: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    value = Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)
    return value if value != 0 else abs(value)  # no "-0,00"


def _check_lang(lang: str) -> None:
    if lang not in ("sv", "en"):
        raise ValueError(f"lang must be 'sv' or 'en'; got {lang!r}")


def format_number(x: object, *, decimals: int, lang: str) -> str:
    """Round half away from zero and write ``x`` the way the language writes numbers.

    Examples
    --------
    >>> format_number(1234.5, decimals=1, lang="sv")
    '1\\xa0234,5'
    >>> format_number(1234.5, decimals=1, lang="en")
    '1,234.5'
    >>> format_number(2.675, decimals=2, lang="sv")
    '2,68'
    >>> format_number(-0.004, decimals=2, lang="sv")
    '0,00'
    >>> format_number(-0.25, decimals=2, lang="sv")
    '−0,25'
    >>> format_number(float("nan"), decimals=2, lang="sv")
    '..'
    """
    if is_missing(x):
        return NOT_AVAILABLE
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0; got {decimals}")
    _check_lang(lang)
    value = _round(float(x), decimals)  # type: ignore[arg-type]
    text = f"{abs(value):,.{decimals}f}"  # "1,234.50"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    return (MINUS + text) if value < 0 else text


def auto_decimals(x: object) -> int:
    """Decimals by size, for values on their own scale (days, counts per month): 0 from 100,
    1 from 10, else 2.

    >>> auto_decimals(1712.4), auto_decimals(-11.73), auto_decimals(0.058), auto_decimals(None)
    (0, 1, 2, 2)
    """
    v = 0.0 if is_missing(x) else abs(float(x))  # type: ignore[arg-type]
    return 0 if v >= 100 else 1 if v >= 10 else 2


def format_value(x: object, *, lang: str, decimals: int | None = None) -> str:
    """A value on its own scale: ``decimals`` or, when ``None``, :func:`auto_decimals`.

    >>> format_value(1712.4, lang="sv"), format_value(11.73, lang="sv"), format_value(3, lang="en")
    ('1\\xa0712', '11,7', '3.00')
    """
    return format_number(x, decimals=auto_decimals(x) if decimals is None else decimals, lang=lang)


def _with_percent_sign(number: str, lang: str) -> str:
    return f"{number}{NBSP}%" if lang == "sv" else f"{number}%"


def format_percent(share: object, *, decimals: int = 0, lang: str) -> str:
    """A share (0–1) as a percentage: ``45 %`` in Swedish, ``45%`` in English.

    >>> format_percent(0.4549, lang="sv")
    '45\\xa0%'
    >>> format_percent(0.125, decimals=0, lang="en")
    '13%'
    """
    if is_missing(share):
        return NOT_AVAILABLE
    number = format_number(float(share) * 100, decimals=decimals, lang=lang)  # type: ignore[arg-type]
    return _with_percent_sign(number, lang)


def format_change(ratio: object, *, lang: str, decimals: int = 0) -> str:
    """A ratio (rate ratio, ratio of means) as a percentage change: 0.41 → ``−59 %``.

    >>> format_change(0.41, lang="sv"), format_change(1.052, lang="en", decimals=1)
    ('−59\\xa0%', '5.2%')
    """
    if is_missing(ratio):
        return NOT_AVAILABLE
    return format_percent(float(ratio) - 1, decimals=decimals, lang=lang)  # type: ignore[arg-type]


def format_ci(low: object, high: object, *, decimals: int = 2, lang: str) -> str:
    """A confidence interval as ``low–high`` (spaced when a bound is negative).

    >>> format_ci(3.1234, 3.8512, lang="sv")
    '3,12–3,85'
    >>> format_ci(-0.05, 0.4, lang="en")
    '−0.05 – 0.40'
    >>> format_ci(float("nan"), 0.4, lang="en")
    '..'
    """
    if is_missing(low) or is_missing(high):
        return NOT_AVAILABLE
    a = format_number(low, decimals=decimals, lang=lang)
    b = format_number(high, decimals=decimals, lang=lang)
    spaced = a.startswith(MINUS) or b.startswith(MINUS)
    return f"{a} – {b}" if spaced else f"{a}–{b}"


def format_percent_ci(
    low: object, high: object, *, lang: str, change: bool = False, decimals: int = 0
) -> str:
    """An interval of shares (``change=False``) or of ratios as percentage changes, in percent.

    >>> format_percent_ci(0.49, 0.68, lang="sv")
    '49–68\\xa0%'
    >>> format_percent_ci(0.35, 0.45, lang="en", change=True)
    '−65 – −55%'
    """
    if is_missing(low) or is_missing(high):
        return NOT_AVAILABLE
    shift = 1.0 if change else 0.0
    text = format_ci(
        (float(low) - shift) * 100,  # type: ignore[arg-type]
        (float(high) - shift) * 100,  # type: ignore[arg-type]
        decimals=decimals,
        lang=lang,
    )
    return _with_percent_sign(text, lang)


def format_p(p: object, *, lang: str) -> str:
    """A p-value: three decimals, or ``<0,001`` (``<0.001``) below :data:`P_FLOOR`.

    >>> format_p(0.04321, lang="sv"), format_p(0.0004, lang="sv"), format_p(0.00001, lang="en")
    ('0,043', '<0,001', '<0.001')
    >>> format_p(float("nan"), lang="en")
    '..'
    """
    if is_missing(p):
        return NOT_AVAILABLE
    if float(p) < P_FLOOR:  # type: ignore[arg-type]
        return "<" + format_number(P_FLOOR, decimals=3, lang=lang)
    return format_number(p, decimals=3, lang=lang)


def format_n(n: object, *, threshold: int | None, lang: str) -> str:
    """A respondent count, or ``<threshold`` for a small cell.

    >>> format_n(3, threshold=5, lang="sv")
    '<5'
    >>> format_n(1250, threshold=5, lang="sv")
    '1\\xa0250'
    """
    if is_missing(n):
        return NOT_AVAILABLE
    if threshold is not None and 0 < float(n) < threshold:  # type: ignore[arg-type]
        return f"<{threshold}"
    return format_number(n, decimals=0, lang=lang)
