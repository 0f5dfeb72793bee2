"""Run a generated suite with great-expectations and return the failing rows.

The evaluator behind ``IMPLEVAL_VALIDATOR=gx`` (the default is :mod:`validation.plain`; see
:mod:`validation.expectations`). great-expectations takes seconds to import, so it is imported here,
lazily. The library judges; the quarantine (which rows, which reason) is ours: every failing row
index is read from ``unexpected_index_list`` and tagged with the rule in the expectation's ``meta``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import pandas as pd

from validation.expectations import Expectation, describe_failure, failure_column


def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("great_expectations")]:
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def build_suite(expectations: Sequence[Expectation], name: str) -> Any:
    """A great-expectations ``ExpectationSuite`` from plain expectations."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=name)
    for exp in expectations:
        suite.add_expectation(getattr(gxe, exp.type)(**exp.kwargs, meta=dict(exp.meta)))
    return suite


def run_suite(frame: pd.DataFrame, expectations: Sequence[Expectation], *, name: str) -> list[dict]:
    """Validate ``frame`` (index = positions 0..n-1) and list failures as
    ``{"position", "rule", "column", "detail"}``; an expectation that errors is a bug and raises."""
    if not expectations:
        return []
    frame = frame.reset_index(drop=True)
    ctx = _context()
    batch_def = (
        ctx.data_sources.add_pandas(name=f"{name}-source")
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = ctx.suites.add(build_suite(expectations, name))
    batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    failures: list[dict] = []
    for res in result.results:
        cfg = res.expectation_config
        if res.exception_info and res.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"validation expectation {cfg.type} on {cfg.kwargs.get('column')} could not run: "
                f"{res.exception_info.get('exception_message')}"
            )
        if res.success:
            continue
        meta = cfg.meta or {}
        column = cfg.kwargs.get("column")
        for pos in res.result.get("unexpected_index_list") or []:
            failures.append(
                {
                    "position": int(pos),
                    "rule": meta.get("rule", cfg.type),
                    "column": failure_column(cfg.kwargs),
                    "detail": describe_failure(
                        meta, frame.at[int(pos), column] if column else None
                    ),
                }
            )
    return failures
