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

from collections.abc import Callable, Collection
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
    "project_omega_interval",
    "reliability_by_group",
    "reliability_part",
    "stack_reliability",
    "wave_comparison_part",
    "wave_comparison_scales",
    "wave_frames",
]

#: The breakdowns every survey table is given (beside the whole wave).
BREAKDOWNS: tuple[str, ...] = ("staff_group", "organisation")
#: How scale scores are described: the whole wave, then each breakdown.
GROUPINGS: tuple[tuple[str, ...], ...] = ((), *((b,) for b in BREAKDOWNS))
#: Pairwise group comparisons only up to this many groups (omnibus tests beyond; see
#: :func:`analysis.group_comparison.compare_groups`).
MAX_PAIRWISE_GROUPS = 20


def project_omega_interval(project: Project) -> OmegaInterval:
    """Omega's bootstrap interval as project.yaml's ``survey:`` settings ask for it."""
    settings = project.survey
    return OmegaInterval(settings.omega_bootstrap_samples, settings.bootstrap_seed)


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
    parts = [
        reliability_part(wide, spec, breakdown=column, min_n=min_n, omega_interval=omega_interval)
        for column in (None, *BREAKDOWNS)
        if column is None or column in wide.columns
    ]
    return stack_tables("reliability", parts)


def reliability_part(
    wide: pd.DataFrame,
    spec: InstrumentSpec,
    *,
    breakdown: str | None,
    min_n: int,
    omega_interval: OmegaInterval = NO_OMEGA_INTERVAL,
) -> pd.DataFrame:
    """The rows of :func:`reliability_by_group` that one breakdown gives (``None``: the whole
    wave) for the respondents in ``wide`` — a work unit when ``wide`` holds one wave.

    :func:`stack_reliability` puts the parts of every wave and breakdown back together in the
    order :func:`reliability_by_group` gives them.
    """
    if breakdown is None:
        interval = replace(omega_interval, min_n=0)
        overall = reliability_by_scale(
            wide, spec, by=("wave",), omega=True, omega_interval=interval
        )
        return overall.assign(group_by=ALL, group=ALL)
    by_group = reliability_by_scale(
        wide,
        spec,
        by=("wave", breakdown),
        omega=True,
        omega_interval=replace(omega_interval, min_n=min_n),
    )
    return by_group[by_group["group"].notna() & (by_group["n"] >= min_n)]


def stack_reliability(parts: dict[tuple[str | None, str], pd.DataFrame]) -> pd.DataFrame:
    """The ``reliability`` table from :func:`reliability_part` of each (breakdown, wave): the
    whole waves, then each breakdown of :data:`BREAKDOWNS`, waves sorted within each."""
    order = [None, *BREAKDOWNS]
    keys = sorted(parts, key=lambda key: (order.index(key[0]), key[1]))
    return stack_tables("reliability", [parts[key] for key in keys])


def wave_comparison_part(
    wide: pd.DataFrame, spec: InstrumentSpec, *, project: Project, scale: str
) -> pd.DataFrame:
    """The ``wave_comparison`` rows of one scale (a work unit; the mixed models are the costly
    part). The table is the parts of the scales in sorted order (:func:`wave_comparison_scales`),
    stacked."""
    return _compare_waves(score_scales(wide, spec), spec, project, scales=(scale,))


def wave_comparison_scales(spec: InstrumentSpec) -> list[str]:
    """The scales of ``spec`` in the order of the ``wave_comparison`` table's rows."""
    return sorted(scale.id for scale in spec.scales)


def _compare_waves(
    scores: pd.DataFrame,
    spec: InstrumentSpec,
    project: Project,
    *,
    scales: Collection[str] | None = None,
) -> pd.DataFrame:
    """The ``wave_comparison`` table (of ``scales`` only, from all of ``scores``: the waves
    compared are those with a score on any scale, as in the whole table)."""
    min_cell_size = project.privacy.min_cell_size
    waves = [w.id for w in project.waves if w.instrument == spec.id]
    extended = ExtendedModel("staff_group", "organisation", min_cell_size=min_cell_size)
    return compare_waves(scores, waves=waves, extended=extended, scales=scales)


def wave_frames(wide: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """``wide``'s rows per wave, waves sorted (the frames :func:`reliability_part` takes)."""
    return [
        (str(wave), frame.reset_index(drop=True)) for wave, frame in wide.groupby("wave", sort=True)
    ]


def analyse_survey(
    wide: pd.DataFrame,
    long: pd.DataFrame,
    *,
    spec: InstrumentSpec,
    project: Project,
    roster_invited: pd.DataFrame | None = None,
    apart: Collection[str] = (),
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
    apart
        Tables left out because they are computed apart, in parts (``reliability``:
        :func:`reliability_part` per wave × breakdown; ``wave_comparison``:
        :func:`wave_comparison_part` per scale), e.g. on a cluster.

    Returns
    -------
    dict of str to pandas.DataFrame
        The nine tables named in the module docstring (less those ``apart``).
    """
    settings = project.survey
    min_cell_size = project.privacy.min_cell_size
    scores = score_scales(wide, spec)
    described = stack_tables("scale_scores", [summarise_scores(scores, by=by) for by in GROUPINGS])
    numeric = summarise_items(wide, spec, response_type="numeric")
    lights = settings.traffic_lights
    invited = with_rosters(invited_counts(project, spec.id), roster_invited)
    tables: dict[str, Callable[[], pd.DataFrame]] = {
        "scale_scores": lambda: described,
        "reliability": lambda: reliability_by_group(
            wide,
            spec,
            min_n=settings.reliability_min_n,
            omega_interval=project_omega_interval(project),
        ),
        "item_statistics": lambda: item_rest_statistics(wide, spec),
        "item_summaries": lambda: numeric,
        "item_distributions": lambda: item_distributions(long, spec),
        "wave_comparison": lambda: _compare_waves(scores, spec, project),
        "group_comparison": lambda: compare_groups(
            scores,
            by=BREAKDOWNS,
            min_cell_size=min_cell_size,
            max_pairwise_groups=MAX_PAIRWISE_GROUPS,
        ),
        "response_rates": lambda: response_rates(
            wide, invited, instrument=spec.id, threshold=settings.response_rate_threshold
        ),
        "normalisation_profile": lambda: normalisation_profile(
            described, numeric, spec, green=lights.green, yellow=lights.yellow
        ),
    }
    return {name: make() for name, make in tables.items() if name not in apart}
