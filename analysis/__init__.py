"""Pure statistics: DataFrames in, tidy DataFrames out (no IO, no printing, no rounding).

The results contract:

- :mod:`analysis.columns` — every results table's columns, dtypes and meaning, and the check every
  table passes when written (:mod:`analysis.vocabulary` the column vocabulary,
  :mod:`analysis.results_doc` the generated ``docs/results.md``).

The analysis plans, one per kind (the store's frames and project.yaml in, a dict of tables out):

- :mod:`analysis.survey`, :mod:`analysis.indicators`, :mod:`analysis.codings`.

Surveys:

- :mod:`analysis.scoring` — reverse_items, score_scales;
- :mod:`analysis.reliability` — cronbach_alpha, reliability_by_scale; :mod:`analysis.omega` —
  mcdonald_omega, with :mod:`analysis.omega_fit` (its bootstrap's shortcuts);
  :mod:`analysis.item_rest` — item_rest_statistics;
- :mod:`analysis.summaries` — summarise_scores, summarise_items; :mod:`analysis.distributions` —
  item_distributions;
- :mod:`analysis.two_sample` — paired and unpaired t and rank tests with effect sizes;
  :mod:`analysis.mixed_model` — the mixed models; :mod:`analysis.wave_comparison` — compare_waves;
- :mod:`analysis.group_comparison` — Welch ANOVA, Kruskal–Wallis, Holm-adjusted pairwise tests;
- :mod:`analysis.response_rates` — responded against invited;
- :mod:`analysis.normalisation_profile` — scales and general items with traffic lights.

Indicators:

- :mod:`analysis.its` — segmented regression (fit_its), with :mod:`analysis.its_design`,
  :mod:`analysis.its_fit` and :mod:`analysis.its_effects`;
- :mod:`analysis.proportions` — Wilson and Newcombe intervals, before/after comparisons;
- :mod:`analysis.periods`, :mod:`analysis.breakdowns` — periods and breakdowns of the data;
- :mod:`analysis.goals` — the goal-status rule and its roll-up; :mod:`analysis.attainment` — goals
  and the project logic from the data; :mod:`analysis.outcomes` — participant outcomes.

Interviews:

- :mod:`analysis.agreement` — reliability data, percent agreement, Krippendorff's alpha at every
  level, with :mod:`analysis.agreement_bootstrap` (its interval); :mod:`analysis.kappa` — Cohen's
  (weighted) kappa, Fleiss' and the Brennan–Prediger kappa; :mod:`analysis.agreement_tables` — every
  measure per code, construct and code group; :mod:`analysis.coding_decisions` — coded segments as
  reliability data;
- :mod:`analysis.coding_frequencies` — code frequencies and co-occurrence; :mod:`analysis.quotes` —
  exemplar quotes.

Nothing is imported here, so importing the package is cheap.
"""
