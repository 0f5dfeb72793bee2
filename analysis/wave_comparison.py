"""Change in scale scores between two survey waves.

Three complementary views of one contrast (``"T1 - T0"``: follow-up minus baseline), per scale:

- **linked**: respondents with a score in both waves (the same pseudonym, ``respondent_id``) →
  paired t test and Wilcoxon signed-rank test (:func:`analysis.two_sample.paired_tests`);
- **unlinked**: everyone with a score in only one of the two waves, treated as independent
  groups → Welch t test and Mann–Whitney U test (:func:`analysis.two_sample.unpaired_tests`);
- **all**: every score from either wave → a linear mixed model fitted by REML with a random
  intercept per respondent, so linked and unlinked respondents both contribute
  (:func:`analysis.mixed_model.fit_wave_mixed_model`), and where the data support it a second
  model with the staff group and a random intercept per organisation.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.columns import check_table, table
from analysis.mixed_model import (
    MIN_UNIT_SIZE,
    MIN_UNITS,
    MIXED_MODEL,
    MIXED_MODEL_UNITS,
    POOLED_GROUP,
    extended_model_terms,
    fit_wave_mixed_model,
)
from analysis.two_sample import (
    MANN_WHITNEY,
    PAIRED_T,
    WELCH_T,
    WILCOXON,
    check_confidence,
    paired_tests,
    unpaired_tests,
)

__all__ = [
    "MANN_WHITNEY",
    "MIXED_MODEL",
    "MIXED_MODEL_UNITS",
    "PAIRED_T",
    "POOLED_GROUP",
    "WAVE_COMPARISON_COLUMNS",
    "WELCH_T",
    "WILCOXON",
    "ExtendedModel",
    "compare_waves",
]

#: Columns of :func:`compare_waves` (``wave_comparison.csv``, :mod:`analysis.columns`).
WAVE_COMPARISON_COLUMNS: tuple[str, ...] = table("wave_comparison").columns


@dataclass(frozen=True)
class ExtendedModel:
    """When :func:`compare_waves` adds the extended mixed model (see
    :func:`analysis.mixed_model.extended_model_terms`).

    Attributes
    ----------
    group_column, unit_column : str or None
        The staff-group column (a fixed effect) and the unit column (a random intercept); the
        flow passes ``"staff_group"`` and ``"organisation"``. Neither: no extended model.
    min_cell_size : int
        Staff groups with fewer respondents are pooled into one level.
    min_units, min_unit_size : int
        The unit intercept needs ``min_units`` units of at least ``min_unit_size`` respondents.
    """

    group_column: str | None = None
    unit_column: str | None = None
    min_cell_size: int = 5
    min_units: int = MIN_UNITS
    min_unit_size: int = MIN_UNIT_SIZE


def _check_scores(scores: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    needed = ["respondent_id", "wave", "instrument", "scale", "score", *covariates]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ValueError(f"compare_waves: missing columns {', '.join(missing)}")
    scored = scores[scores["score"].notna()]
    dup = scored.duplicated(["instrument", "scale", "wave", "respondent_id"])
    if dup.any():
        raise ValueError(
            f"compare_waves: {int(dup.sum())} respondent(s) have more than one score for the same "
            "scale and wave. Expected one row per respondent × wave × scale."
        )
    return scored


def _waves_seen(
    scores: pd.DataFrame, scored: pd.DataFrame, waves: Sequence[str]
) -> tuple[list[str], dict[tuple[str, str], set[object]]]:
    """The waves with a score on any scale, in calendar order, and the respondents present per
    instrument × wave (with or without a score)."""
    present = set(scored["wave"].astype(str))
    seen = {
        (str(instrument), str(wave)): set(frame["respondent_id"])
        for (instrument, wave), frame in scores.groupby(["instrument", "wave"], sort=False)
    }
    return [str(w) for w in waves if str(w) in present], seen


def _contrast_rows(
    pair: pd.DataFrame,
    *,
    before: str,
    covariates: tuple[str, ...],
    extended: ExtendedModel,
    confidence: float,
) -> Iterator[dict[str, object]]:
    """The rows of one instrument × scale × contrast, without the shared keys."""
    b = pair[pair["wave"] == before].set_index("respondent_id")["score"]
    a = pair[pair["wave"] != before].set_index("respondent_id")["score"]
    linked = sorted(set(b.index) & set(a.index), key=str)
    for row in paired_tests(
        b.loc[linked].to_numpy(), a.loc[linked].to_numpy(), confidence=confidence
    ):
        yield {"sample": "linked"} | row
    only_b, only_a = b.drop(index=linked).to_numpy(), a.drop(index=linked).to_numpy()
    for row in unpaired_tests(only_b, only_a, confidence=confidence):
        yield {"sample": "unlinked"} | row
    mixed = fit_wave_mixed_model(
        pair, baseline=before, covariates=covariates, confidence=confidence
    )
    yield {"sample": "all"} | mixed
    if extended.group_column is None and extended.unit_column is None:
        return
    data, extra, unit = extended_model_terms(
        pair,
        group_column=extended.group_column,
        unit_column=extended.unit_column,
        min_cell_size=extended.min_cell_size,
        min_units=extended.min_units,
        min_unit_size=extended.min_unit_size,
    )
    if extra or unit is not None:
        terms = tuple(dict.fromkeys((*covariates, *extra)))
        yield {"sample": "all"} | fit_wave_mixed_model(
            data, baseline=before, covariates=terms, unit=unit, confidence=confidence
        )


def compare_waves(
    scores: pd.DataFrame,
    *,
    waves: Sequence[str],
    covariates: Sequence[str] = (),
    extended: ExtendedModel | None = None,
    confidence: float = 0.95,
    scales: Collection[str] | None = None,
) -> pd.DataFrame:
    """Change between consecutive waves for every instrument × scale (linked, unlinked, all).

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`analysis.scoring.score_scales` (and any ``covariates``); NaN scores are
        left out of every test but count for ``n_present_both``.
    waves : sequence of str
        The waves in calendar order; each consecutive pair present in ``scores`` is compared,
        labelled ``"<later> - <earlier>"``.
    covariates : sequence of str, default ()
        Extra fixed effects of the (first) mixed model (see
        :func:`analysis.mixed_model.fit_wave_mixed_model`).
    extended : ExtendedModel, optional
        When and how to fit the second mixed model (staff group and organisations); ``None``: no
        extended model.
    confidence : float, default 0.95
        Level of every interval.
    scales : collection of str, optional
        Only the rows of these scales (a part of the whole table: which waves are compared and
        ``n_present_both`` still come from every scale in ``scores``); ``None``: every scale.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WAVE_COMPARISON_COLUMNS`; per instrument × scale × contrast five (or six)
        rows: ``sample`` ``linked`` (paired t, Wilcoxon), ``unlinked`` (Welch t, Mann–Whitney)
        and ``all`` (the mixed model :data:`MIXED_MODEL`, then the extended model if any).
        ``n`` is the respondents (or, for the mixed models, scores) used; ``n_linked``,
        ``n_baseline`` and ``n_follow_up`` count respondents with a score in both waves, in the
        baseline wave and in the follow-up wave; ``n_present_both`` counts the pseudonyms present
        in both waves for the instrument, with or without a score on this scale.

    A needed column absent, or two scores of one respondent for one scale and wave, raise
    ``ValueError``.
    """
    check_confidence(confidence)
    scored = _check_scores(scores, covariates)
    ordered, seen = _waves_seen(scores, scored, waves)
    rows: list[dict[str, object]] = []
    if scales is not None:
        scored = scored[scored["scale"].isin(list(scales))]
    for (instrument, scale), frame in scored.groupby(["instrument", "scale"], sort=True):
        frame = frame.assign(wave=frame["wave"].astype(str))
        for before, after in itertools.pairwise(ordered):
            pair = frame[frame["wave"].isin([before, after])]
            counts = pair.groupby("wave")["respondent_id"].agg(set)
            b, a = counts.get(before, set()), counts.get(after, set())
            both = seen.get((str(instrument), before), set())
            both = both & seen.get((str(instrument), after), set())
            base = {
                "instrument": instrument,
                "scale": scale,
                "contrast": f"{after} - {before}",
                "baseline_wave": before,
                "follow_up_wave": after,
                "n_linked": len(b & a),
                "n_baseline": len(b),
                "n_follow_up": len(a),
                "n_present_both": len(both),
            }
            for row in _contrast_rows(
                pair,
                before=before,
                covariates=tuple(covariates),
                extended=extended or ExtendedModel(),
                confidence=confidence,
            ):
                rows.append(base | row)
    return check_table("wave_comparison", pd.DataFrame(rows, columns=list(WAVE_COMPARISON_COLUMNS)))
