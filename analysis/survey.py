"""The analysis plan of one survey instrument: scale scores, reliability, item statistics,
change between waves, group comparisons, response rates and the normalisation profile.

:func:`analyse_survey` takes the store's wide and long tables of one instrument and returns the
tables ``scale_scores``, ``reliability``, ``item_statistics``, ``item_summaries``,
``item_distributions``, ``wave_comparison``, ``group_comparison``, ``response_rates`` and
``normalisation_profile`` — tidy and unrounded, their columns as :mod:`analysis.columns` says
(see ``docs/survey-statistics.md`` for the statistics). :func:`analysis.columns.stack_results`
puts the instruments' tables together.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis.columns import stack_tables
from analysis.distributions import item_distributions
from analysis.group_comparison import compare_groups
from analysis.item_rest import item_rest_statistics
from analysis.normalisation_profile import normalisation_profile
from analysis.reliability import NO_OMEGA_INTERVAL, OmegaInterval, reliability_by_scale
from analysis.response_rates import ALL, invited_counts, response_rates, with_rosters
from analysis.scoring import score_scales
from analysis.summaries import summarise_items, summarise_scores
from analysis.wave_comparison import ExtendedModel, compare_waves
from instruments.spec import InstrumentSpec
from project.config import Project

__all__ = [
    "BREAKDOWNS",
    "GROUPINGS",
    "MAX_PAIRWISE_GROUPS",
    "analyse_survey",
    "reliability_by_group",
]

#: The breakdowns every survey table is given (beside the whole wave).
BREAKDOWNS: tuple[str, ...] = ("staff_group", "organisation")
#: How scale scores are described: the whole wave, then each breakdown.
GROUPINGS: tuple[tuple[str, ...], ...] = ((), *((b,) for b in BREAKDOWNS))
#: Pairwise group comparisons only up to this many groups (omnibus tests beyond; see
#: :func:`analysis.group_comparison.compare_groups`).
MAX_PAIRWISE_GROUPS = 20


def reliability_by_group(
    wide: pd.DataFrame,
    spec: InstrumentSpec,
    *,
    min_n: int,
    omega_interval: OmegaInterval = NO_OMEGA_INTERVAL,
) -> pd.DataFrame:
    """Alpha and omega per wave (``group_by = group = "all"``), then per wave × staff group and
    wave × organisation for the groups with at least ``min_n`` complete cases on the scale (the
    ``reliability`` table); omega's bootstrap interval on the rows kept."""
    interval = replace(omega_interval, min_n=0)
    overall = reliability_by_scale(wide, spec, by=("wave",), omega=True, omega_interval=interval)
    parts = [overall.assign(group_by=ALL, group=ALL)]
    for column in BREAKDOWNS:
        if column not in wide.columns:
            continue
        by_group = reliability_by_scale(
            wide,
            spec,
            by=("wave", column),
            omega=True,
            omega_interval=replace(omega_interval, min_n=min_n),
        )
        parts.append(by_group[by_group["group"].notna() & (by_group["n"] >= min_n)])
    return stack_tables("reliability", parts)


def analyse_survey(
    wide: pd.DataFrame,
    long: pd.DataFrame,
    *,
    spec: InstrumentSpec,
    project: Project,
    roster_invited: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Every survey table of one instrument.

    Parameters
    ----------
    wide, long
        The store's active survey data of the instrument (see :mod:`analysis.scoring` and
        :func:`analysis.distributions.item_distributions`). Not modified.
    spec
        The instrument as the project uses it.
    project
        The project: its waves (order and invited counts), the small-cell threshold, the
        reliability and response-rate thresholds and the traffic lights.
    roster_invited
        Invited counts from the waves' rosters (``wave, organisation, staff_group, invited``);
        they replace project.yaml's hand-typed counts for the waves they cover.

    Returns
    -------
    dict of str to pandas.DataFrame
        The nine tables named in the module docstring.
    """
    settings = project.survey
    min_cell_size = project.privacy.min_cell_size
    scores = score_scales(wide, spec)
    described = stack_tables("scale_scores", [summarise_scores(scores, by=by) for by in GROUPINGS])
    numeric = summarise_items(wide, spec, response_type="numeric")
    waves = [w.id for w in project.waves if w.instrument == spec.id]
    extended = ExtendedModel("staff_group", "organisation", min_cell_size=min_cell_size)
    lights = settings.traffic_lights
    invited = with_rosters(invited_counts(project, spec.id), roster_invited)
    return {
        "scale_scores": described,
        "reliability": reliability_by_group(
            wide,
            spec,
            min_n=settings.reliability_min_n,
            omega_interval=OmegaInterval(settings.omega_bootstrap_samples, settings.bootstrap_seed),
        ),
        "item_statistics": item_rest_statistics(wide, spec),
        "item_summaries": numeric,
        "item_distributions": item_distributions(long, spec),
        "wave_comparison": compare_waves(scores, waves=waves, extended=extended),
        "group_comparison": compare_groups(
            scores,
            by=BREAKDOWNS,
            min_cell_size=min_cell_size,
            max_pairwise_groups=MAX_PAIRWISE_GROUPS,
        ),
        "response_rates": response_rates(
            wide, invited, instrument=spec.id, threshold=settings.response_rate_threshold
        ),
        "normalisation_profile": normalisation_profile(
            described, numeric, spec, green=lights.green, yellow=lights.yellow
        ),
    }
