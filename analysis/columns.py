"""The results contract: every table the analyse stage writes to ``output/results/``, its columns,
their dtypes and what they mean, in one declarative place.

One vocabulary serves every table (:data:`analysis.vocabulary.VOCABULARY`): a column name means
the same thing wherever it appears, and a table only adds which values it takes there
(:attr:`Table.notes`). :data:`KEY_WORDS` sets out the words that are easy to confuse (time,
breakdowns, what an estimate is, inference).

Tables are long (one row per estimate), unrounded, and checked against the contract when written
(:func:`check_table`): an unknown or missing column or a wrong dtype is a bug and raises
:class:`ContractError`. ``docs/results.md`` is generated from this module
(:func:`analysis.results_doc.results_markdown`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from analysis.vocabulary import DTYPES, KEY_WORDS, PANDAS_DTYPES, VOCABULARY, Dtype

__all__ = [
    "DTYPES",
    "KEY_WORDS",
    "TABLES",
    "VOCABULARY",
    "ContractError",
    "Table",
    "check_table",
    "empty_table",
    "stack_results",
    "stack_tables",
    "table",
    "tables_of",
]

Kind = Literal["survey", "indicators", "codings", "ingest"]


class ContractError(ValueError):
    """A results table does not match the contract: a bug in the analysis, not a user error."""


@dataclass(frozen=True)
class Table:
    """One results table: ``output/results/<name>.csv``.

    ``columns`` in order; ``dtypes`` where the table differs from the vocabulary's dtype;
    ``notes`` what a column holds in this table (its values, its unit).
    """

    name: str
    kind: Kind
    description: str
    columns: tuple[str, ...]
    notes: Mapping[str, str] = field(default_factory=dict)
    dtypes: Mapping[str, Dtype] = field(default_factory=dict)

    def dtype(self, column: str) -> Dtype:
        return self.dtypes.get(column) or VOCABULARY[column][0]


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ALPHA_OMEGA = "`cronbach_alpha` or `omega_total`"
_SUMMARY = _cols("n mean sd median q1 q3 std_error ci_low ci_high")
_ITS_KEYS = _cols("indicator unit model")
_ITS_ESTIMATES = _cols("term estimate std_error ci_low ci_high p_value effect_scale")
_EVERYONE = "`all` for everyone, else the breakdown of the data (`age_group`)"

_TABLE_LIST = (
    # -- surveys
    Table(
        "scale_scores",
        "survey",
        "Scale scores described per wave, overall and per group.",
        _cols("instrument wave scale group_by group") + _SUMMARY,
        {
            "group_by": "`all`, `staff_group` or `organisation`",
            "n": "respondents with a score",
            "std_error": "of the mean; the interval is t-based",
        },
    ),
    Table(
        "reliability",
        "survey",
        "Cronbach's alpha (Feldt interval) and McDonald's omega total (percentile bootstrap "
        "interval) per scale and wave, overall and per group of at least "
        "`survey.reliability_min_n` complete cases.",
        _cols(
            "instrument wave group_by group scale measure n k_items estimate ci_low ci_high "
            "method note"
        ),
        {"measure": _ALPHA_OMEGA, "n": "complete cases (listwise)"},
    ),
    Table(
        "item_statistics",
        "survey",
        "Item–rest correlation and alpha if item deleted.",
        _cols("instrument wave scale item n r_item_rest alpha_if_deleted method"),
        {"n": "complete cases of the scale"},
    ),
    Table(
        "item_summaries",
        "survey",
        "The numeric (general) items described per wave.",
        _cols("instrument wave item") + _SUMMARY,
        {"n": "respondents who answered"},
    ),
    Table(
        "item_distributions",
        "survey",
        "Every answer to every ordinal item per wave, zero counts included.",
        _cols("instrument wave item response_kind response n share share_of_scored"),
        {"n": "respondents giving the response", "share": "of the wave's respondents"},
    ),
    Table(
        "wave_comparison",
        "survey",
        "Change between consecutive waves per scale: paired t and Wilcoxon (linked), Welch "
        "and Mann–Whitney (unlinked), mixed models (all).",
        _cols(
            "instrument scale contrast baseline_wave follow_up_wave sample method n n_linked "
            "n_baseline n_follow_up n_present_both estimate std_error ci_low ci_high statistic "
            "df p_value effect_size effect_size_ci_low effect_size_ci_high "
            "effect_size_measure formula variance_respondent variance_organisation "
            "variance_residual n_respondents n_organisations converged"
        ),
        {
            "n": "respondents (t and rank tests) or scores (mixed models)",
            "estimate": "mean change (paired t), difference in means (Welch, mixed models), the "
            "Hodges–Lehmann estimate (Wilcoxon: the pseudomedian of the changes; Mann–Whitney: "
            "the shift); follow-up − baseline",
            "std_error": "empty for the rank tests",
            "ci_low": "t (t tests), Wald (mixed models) or the Hodges–Lehmann order-statistic "
            "interval (rank tests)",
            "effect_size_ci_low": "noncentral t (d_z, g) or Fisher's z (rank-biserial), as R's "
            "effectsize",
        },
    ),
    Table(
        "group_comparison",
        "survey",
        "Staff groups and organisations compared within a wave: Welch ANOVA, Kruskal–Wallis "
        "and Holm-adjusted pairwise Welch t tests, after the small-cell rule.",
        _cols(
            "instrument wave scale group_by comparison group_a group_b method n k_groups "
            "groups_included groups_excluded estimate std_error ci_low ci_high statistic df "
            "df2 p_value p_adjusted effect_size effect_size_ci_low effect_size_ci_high "
            "effect_size_measure"
        ),
        {
            "estimate": "pairwise rows: mean of `group_b` − mean of `group_a`",
            "effect_size": "omega squared (0 when negative) for Welch's ANOVA, epsilon squared "
            "for Kruskal–Wallis, Hedges' g for pairs",
            "effect_size_ci_low": "noncentral F (omega squared) or t (g), as R's effectsize; "
            "empty for epsilon squared",
        },
    ),
    Table(
        "response_rates",
        "survey",
        "Respondents against the invited counts of project.yaml.",
        _cols(
            "instrument wave organisation staff_group invited responded rate threshold "
            "below_threshold"
        ),
    ),
    Table(
        "normalisation_profile",
        "survey",
        "Mean scales and general items side by side per wave with a traffic light.",
        _cols(
            "instrument wave scale item n mean std_error ci_low ci_high range_low range_high "
            "green_from yellow_from light"
        ),
        {
            "scale": "set on scale rows, empty on item rows",
            "item": "set on general-item rows, empty on scale rows",
        },
    ),
    Table(
        "ingest_summary",
        "ingest",
        "The active ingests and their row accounting.",
        _cols("kind instrument wave file sha256 rows_read rows_loaded rows_quarantined"),
        {"instrument": "empty for indicator and coding exports"},
    ),
    Table(
        "quarantine_reasons",
        "ingest",
        "Quarantined rows of the active ingests per rule.",
        _cols("instrument wave rule n"),
        {"n": "source rows"},
    ),
    # -- indicators
    Table(
        "its",
        "indicators",
        "Interrupted time series per indicator and unit: the segmented model's terms and the "
        "effects h periods after the interruption (see docs/indicators.md).",
        _ITS_KEYS + _ITS_ESTIMATES,
        {
            "effect_scale": "`ratio` for count models (rate ratios) and for the `_relative` "
            "effects, else `difference`"
        },
    ),
    Table(
        "its_coefficients",
        "indicators",
        "The raw coefficients of each ITS model.",
        _ITS_KEYS + _ITS_ESTIMATES,
        {"effect_scale": "`linear_predictor`"},
    ),
    Table(
        "its_series",
        "indicators",
        "Observed, fitted and counterfactual values per period of each ITS model.",
        _ITS_KEYS
        + _cols(
            "period post observed denominator fitted fitted_ci_low "
            "fitted_ci_high counterfactual counterfactual_ci_low "
            "counterfactual_ci_high"
        ),
    ),
    Table(
        "its_diagnostics",
        "indicators",
        "Checks and settings of each ITS model (dispersion, autocorrelation, the formula).",
        _ITS_KEYS + _cols("diagnostic estimate df p_value detail"),
    ),
    Table(
        "before_after",
        "indicators",
        "Before/after comparisons of indicators measured a few times: each side and the "
        "difference after − before, one row each.",
        _cols(
            "indicator unit group_by group measure phase periods n estimate std_error ci_low "
            "ci_high p_value method"
        ),
        {
            "group_by": _EVERYONE,
            "measure": "`proportion` (pooled; Wilson and Newcombe intervals) or "
            "`mean_per_period` (t and Welch intervals)",
            "periods": "the side's periods; both sides' on the difference row",
            "n": "persons (proportions) or periods (means); both sides' on the difference row",
            "std_error": "of the mean per period; empty for proportions",
            "p_value": "difference rows only",
        },
        {"n": "float"},
    ),
    Table(
        "indicator_summary",
        "indicators",
        "Each indicator × unit × breakdown: the span of the data and a pooled value.",
        _cols(
            "indicator unit group_by group indicator_measure first_period last_period "
            "n_periods value_total denominator_total estimate ci_low ci_high"
        ),
        {
            "group_by": _EVERYONE,
            "estimate": "pooled: Σvalue/Σdenominator (proportions, counts with an offset), the "
            "mean per period (other counts), the denominator-weighted mean (means)",
            "ci_low": "Wilson interval, proportions only",
        },
    ),
    Table(
        "goals",
        "indicators",
        "Goal attainment: baseline, target, achieved value and status (docs/indicators.md).",
        _cols(
            "goal level indicator baseline target achieved deadline status progress "
            "status_source baseline_source achieved_periods evidence_sv evidence_en"
        ),
        {"status_source": "`data`, `manual` (the evaluator's judgement) or `none`"},
    ),
    Table(
        "logic",
        "indicators",
        "The project logic's nodes with their rolled-up status.",
        _cols("node kind label_sv label_en links_to status status_source"),
        {
            "status": "a goal status, or `no_target` for an indicator with data but no target",
            "status_source": "`own` or `rolled_up`",
        },
    ),
    Table(
        "outcomes",
        "indicators",
        "Participants per outcome category pooled over the loaded periods, with Wilson intervals.",
        _cols(
            "outcome unit periods group_by group category n total share ci_low ci_high "
            "toward_target method"
        ),
        {
            "group_by": "`all` for everyone, else the outcome's subgroup (`sex`)",
            "n": "persons in the category",
        },
        {"n": "float", "total": "float"},
    ),
    Table(
        "outcome_targets",
        "indicators",
        "The share in an outcome's target categories against its target, by the deadline.",
        _cols(
            "outcome unit periods group_by group categories n total share ci_low ci_high "
            "target baseline deadline status progress ci_position p_value method"
        ),
        {
            "group_by": "`all` for everyone, else the outcome's subgroup (`sex`)",
            "n": "persons in the target categories",
            "p_value": "two-sided score test of share = target",
        },
        {"n": "float", "total": "float"},
    ),
    # -- interviews
    Table(
        "coding_frequencies",
        "codings",
        "Documents mentioning and segments coded per code and construct × stakeholder group × "
        "round (the primary coder's codings).",
        _cols(
            "code_level code construct stakeholder_group round n_documents n_segments "
            "documents_in_group share_of_documents code_type"
        ),
        {"n_documents": "documents mentioning the code"},
    ),
    Table(
        "co_occurrence",
        "codings",
        "Codes applied to the same segment or document.",
        _cols("code_level code_a code_b n_segments n_documents"),
        {"n_documents": "documents where both codes appear"},
    ),
    Table(
        "agreement",
        "codings",
        "Inter-coder agreement on the double-coded material per code, construct and overall "
        "(presence/absence per unit × code), and per code group (the category each coder gave a "
        "segment), at every declared unit (docs/interviews.md).",
        _cols(
            "unit_of_analysis code_level code measure metric coders n_units n_coders n_values "
            "n_documents estimate std_error ci_low ci_high method note"
        ),
        {
            "measure": "`percent_agreement`, `cohen_kappa`, `weighted_kappa`, `fleiss_kappa`, "
            "`brennan_prediger_kappa` or `krippendorff_alpha`",
            "metric": "alpha's level of measurement (`nominal`, `ordinal`, `interval`, "
            "`ratio`); kappa's weights (`unweighted`, `linear`, `quadratic`, `custom`); "
            "`nominal` otherwise",
            "n_documents": "double-coded documents",
            "std_error": "Cohen's kappa, weighted or not (Fleiss, Cohen & Everitt 1969)",
            "ci_low": "kappa: normal interval; alpha: bootstrap (Hayes & Krippendorff 2007)",
        },
    ),
    Table(
        "quotes",
        "codings",
        "Exemplar quotes per NPT construct × stakeholder group (docs/interviews.md).",
        _cols(
            "construct stakeholder_group rank round code segment_id speaker_id "
            "speaker_number speaker_sv speaker_en quote n_chars confirmed method"
        ),
        {"method": "the selection rule"},
    ),
    Table(
        "interview_documents",
        "codings",
        "Documents, speakers and double-coded documents per stakeholder group × round.",
        _cols("stakeholder_group round n_documents n_speakers n_double_coded"),
        {"n_documents": "documents of the group × round"},
    ),
)

#: Every results table by name, in the order the documentation lists them.
TABLES: dict[str, Table] = {t.name: t for t in _TABLE_LIST}


def table(name: str) -> Table:
    """The contract of one table; :class:`ContractError` for a name not in it."""
    try:
        return TABLES[name]
    except KeyError:
        raise ContractError(f"results table {name}: not in the results contract") from None


def tables_of(kind: Kind) -> tuple[str, ...]:
    """The names of one kind's tables, in contract order."""
    return tuple(name for name, t in TABLES.items() if t.kind == kind)


def empty_table(name: str) -> pd.DataFrame:
    """A table with no rows and the contract's columns and dtypes."""
    spec = table(name)
    return pd.DataFrame({c: pd.Series(dtype=PANDAS_DTYPES[spec.dtype(c)]) for c in spec.columns})


def stack_tables(name: str, frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Frames of one table stacked in the contract's column order (empty frames skipped);
    :func:`empty_table` when there are none."""
    spec = table(name)
    parts = [f.loc[:, list(spec.columns)] for f in frames if not f.empty]
    if not parts:
        return empty_table(name)
    return pd.concat(parts, ignore_index=True)


def stack_results(
    parts: Sequence[Mapping[str, pd.DataFrame]], *, kind: Kind
) -> dict[str, pd.DataFrame]:
    """Every table of one kind with the parts' rows stacked (e.g. one part per survey
    instrument); empty tables when there are no parts."""
    return {name: stack_tables(name, [p[name] for p in parts]) for name in tables_of(kind)}


def _whole(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and float(v).is_integer()


def _fits(values: pd.Series, present: pd.Series, dtype: Dtype) -> bool:
    """Whether ``values`` (with ``present`` its non-missing ones) can be read as ``dtype``."""
    kind = values.dtype.kind
    if dtype == "str":
        return kind in "OUT" and all(isinstance(v, str) for v in present)
    if dtype == "float":
        return kind in "iuf"
    if dtype == "int":
        return kind in "iu" and len(present) == len(values)
    if dtype == "Int64":
        return kind in "iu" or (kind in "fO" and all(_whole(v) for v in present))
    if kind != "b" and not all(isinstance(v, bool | np.bool_) for v in present):
        return False
    return dtype == "boolean" or len(present) == len(values)


def _conformed(name: str, column: str, values: pd.Series, dtype: Dtype) -> pd.Series:
    """``values`` as the contract's dtype, or :class:`ContractError` when they cannot be."""
    where = f"results table {name}: column {column}"
    missing = values.isna()
    if missing.all():
        if len(values) and dtype in ("int", "bool"):
            raise ContractError(f"{where} is empty; expected {DTYPES[dtype]}")
        return values.astype(PANDAS_DTYPES[dtype])
    if not _fits(values, values[~missing], dtype):
        raise ContractError(f"{where} has dtype {values.dtype}; expected {DTYPES[dtype]} ({dtype})")
    return values if dtype == "str" else values.astype(PANDAS_DTYPES[dtype])


def check_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` checked against the contract of table ``name``, columns in contract order.

    Returns a new frame (the input is not changed) whose columns are cast to the contract's
    dtypes where that loses nothing (whole numbers to float, all-missing columns to their type).

    Raises
    ------
    ContractError
        For a table not in the contract, a column the contract does not have, a column it has
        that is missing, or a column whose values do not fit its dtype — each naming the table
        and the column. These are bugs in the analysis, never the user's mistake.

    Examples
    --------
    >>> frame = pd.DataFrame({"instrument": ["nomad"], "wave": ["T0"], "rule": ["x"], "n": [2]})
    >>> check_table("quarantine_reasons", frame).dtypes.astype(str).tolist()
    ['str', 'str', 'str', 'int64']
    >>> check_table("quarantine_reasons", frame.assign(scale="coherence"))
    Traceback (most recent call last):
    ...
    analysis.columns.ContractError: results table quarantine_reasons: column scale is not in the contract. Expected instrument, wave, rule, n.
    """
    spec = table(name)
    unknown = [c for c in frame.columns if c not in spec.columns]
    if unknown:
        raise ContractError(
            f"results table {name}: column {', '.join(map(str, unknown))} is not in the "
            f"contract. Expected {', '.join(spec.columns)}."
        )
    absent = [c for c in spec.columns if c not in frame.columns]
    if absent:
        raise ContractError(f"results table {name}: column {', '.join(absent)} is missing")
    return pd.DataFrame(
        {c: _conformed(name, c, frame[c], spec.dtype(c)) for c in spec.columns},
        index=frame.index,
    )
