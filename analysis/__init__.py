"""Pure statistics: a DataFrame in, a tidy DataFrame out (no IO, no printing, no rounding).

Modules:

- :mod:`analysis.scoring` — reverse_items, score_scales;
- :mod:`analysis.reliability` — cronbach_alpha, mcdonald_omega, reliability_by_scale,
  item_rest_statistics;
- :mod:`analysis.summaries` — summarise_scores, summarise_items, item_distributions;
- :mod:`analysis.wave_comparison` — paired, unpaired and mixed-model change between waves;
- :mod:`analysis.group_comparison` — Welch ANOVA, Kruskal–Wallis, Holm-adjusted pairwise tests;
- :mod:`analysis.response_rates` — responded against invited;
- :mod:`analysis.normalisation_profile` — scales and general items with traffic lights;
- :mod:`analysis.its` — segmented regression for interrupted time series (fit_its);
- :mod:`analysis.proportions` — Wilson and Newcombe intervals, before/after comparisons;
- :mod:`analysis.goals` — goal status and its roll-up through the project logic;
- :mod:`analysis.agreement` — percent agreement, Cohen's kappa, Krippendorff's alpha;
- :mod:`analysis.coding_frequencies` — code frequencies and co-occurrence.

Nothing is imported here, so importing the package is cheap.
"""
