"""Expectations as plain data, and the one way to run them.

A suite is a list of :class:`Expectation` — a great-expectations expectation type, its keyword
arguments, and ``meta`` pointing back to the spec (instrument and item, indicator registry,
``interviews:``) and naming the quarantine rule. Suites are generated per kind
(:mod:`validation.survey`, :mod:`validation.indicators`, :mod:`validation.codings`), never written
by hand.

:func:`run_suite` checks a frame against a suite and lists the failing rows. Two evaluators give
the same failures: :mod:`validation.plain` (pandas, the default) and :mod:`validation.gx`
(great-expectations). The rules our suites use (not null, unique, in set, between, compound unique)
are a few lines of pandas each, while importing great-expectations costs 4–6 s of CPU in every
process that ingests; ``IMPLEVAL_VALIDATOR=gx`` runs the same suites with great-expectations
(a test holds the two to the same failing rows).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from project.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

#: The environment variable that chooses the evaluator: ``pandas`` (default) or ``gx``.
VALIDATOR_ENV = "IMPLEVAL_VALIDATOR"
VALIDATORS = ("pandas", "gx")


@dataclass(frozen=True)
class Expectation:
    """One rule a canonical frame must meet."""

    type: str  # a great-expectations expectation class name
    kwargs: dict
    meta: dict = field(default_factory=dict)

    @property
    def rule(self) -> str:
        return str(self.meta["rule"])

    @property
    def column(self) -> str:
        return str(self.kwargs.get("column", ""))


def validator() -> str:
    """The evaluator chosen by ``IMPLEVAL_VALIDATOR`` (``pandas`` when unset).

    Raises
    ------
    ConfigError
        When the variable names neither.
    """
    chosen = os.environ.get(VALIDATOR_ENV, "pandas").strip().lower() or "pandas"
    if chosen not in VALIDATORS:
        raise ConfigError(
            f"{VALIDATOR_ENV}: unknown validator. Expected pandas or gx; found {chosen!r}. Hint: "
            f"unset it to use the default (pandas)."
        )
    return chosen


def run_suite(frame: pd.DataFrame, expectations: Sequence[Expectation], *, name: str) -> list[dict]:
    """Validate ``frame`` and list failures as ``{"position", "rule", "column", "detail"}``.

    ``position`` is the row's position in ``frame`` (0 … n-1); failures come per expectation in
    suite order, rows ascending.
    """
    if validator() == "gx":
        from validation import gx

        return gx.run_suite(frame, expectations, name=name)
    from validation import plain

    return plain.run_suite(frame, expectations)


def failure_column(kwargs: dict) -> str:
    """The column a failure names: the expectation's column, or its columns joined (compound)."""
    return str(kwargs.get("column") or ", ".join(kwargs.get("column_list", ())))


def describe_failure(meta: dict, value: object) -> str:
    """The quarantine detail of one failing cell (no answer content: codes, dates, hints)."""
    import pandas as pd

    rule = meta.get("rule")
    if rule == "out_of_set":
        number = float(value)  # type: ignore[arg-type]
        shown = int(number) if number.is_integer() else number
        return f"code {shown} not in response set {meta.get('response_set')}"
    if rule == "outside_wave_window":
        return f"submitted {pd.Timestamp(value):%Y-%m-%d}; {meta.get('hint')}"  # type: ignore[arg-type]
    return str(meta.get("hint", rule))
