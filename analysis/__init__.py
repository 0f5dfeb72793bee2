"""Pure statistics: a DataFrame in, a tidy DataFrame out (no IO, no printing, no rounding).

Modules: :mod:`analysis.scoring` (reverse_items, score_scales), :mod:`analysis.reliability`
(cronbach_alpha, reliability_by_scale), :mod:`analysis.summaries` (summarise_scores,
summarise_items, item_distributions). Nothing is imported here, so importing the package is cheap.
"""
