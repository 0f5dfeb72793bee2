"""Disclosure control and number formatting: the one place where results are rounded and blanked.

Every table, figure and generated sentence in a report goes through this package's public
functions (imported from here: ``from reports import disclosure``). Results files (``output/results``)
stay unrounded and complete; what leaves the pipeline as a report is rounded here and obeys the
small-cell rule here.

The small-cell rule
-------------------
``threshold`` is ``project.privacy.min_cell_size`` (default 5).

*Group summaries* (a mean, SD, CI, α … for a group of respondents; :func:`suppress_small_groups`):

1. **Primary suppression.** A row with ``0 < n < threshold`` is suppressed: its values are blanked
   and shown as ``–``; its ``n`` is shown as ``<5`` (never the exact count).
2. **Complementary suppression** (when ``complement_within`` names the columns of one breakdown,
   e.g. construct means by staff group within one wave and construct). The groups of a breakdown add
   up to a published total, so one hidden group could be recovered by subtraction. Within each
   breakdown, while the suppressed rows together hold fewer than ``threshold`` respondents, the
   smallest remaining group is suppressed too. Its values are blanked; its ``n`` stays visible (a
   group of at least ``threshold`` respondents is not itself a small cell).
3. A row with ``n == 0`` has no values to hide and is left as it is.

*Response distributions* (shares per answer option of one item; :func:`suppress_distributions`):
distributions are only ever reported for a whole wave (or a whole group), as shares, never as
counts. An item's distribution is shown only if its base is at least ``threshold``:

- if the number of respondents asked (all answers, "not relevant" and missing included) is below the
  threshold, nothing about the item is shown;
- if the number of scored answers is below the threshold, the scored shares are withheld (the
  "not relevant" and missing shares, whose base is everyone asked, are still shown).

A single small cell *within* a sufficient base (say 1 of 40 answered "strongly disagree") is shown
as a share: the base is the whole wave, not a unit or a profession, so it does not point to anyone.
Breakdowns of distributions by group must pass the group columns in ``by`` so that the rule is
applied per group base.

*Counts of persons that add up two ways* (participant outcomes; :func:`suppress_breakdowns`):
primary and complementary suppression across categories and across the groups of a breakdown.

Formatting
----------
Swedish: decimal comma, a non-breaking space between thousands, ``45 %``; English: decimal point,
comma between thousands, ``45%``. Means, SDs and α with 2 decimals, counts with 0, shares as percent
with 0 decimals, values on their own scale (days, counts) by size (:func:`format_value`), p-values
with 3 decimals or ``<0,001`` (:func:`format_p`, the same in every table and sentence). Halves are
rounded away from zero (2.675 → 2.68), not to even.
Marks: ``–`` a value withheld by the small-cell rule; ``..`` a value that could not be computed.

Modules: :mod:`~reports.disclosure.rules` (the small-cell rule), :mod:`~reports.disclosure.numbers`
(rounding and formatting), :mod:`~reports.disclosure.tables` (formatted tables).
"""

from __future__ import annotations

from reports.disclosure.numbers import (
    NOT_AVAILABLE,
    P_FLOOR,
    SUPPRESSED,
    auto_decimals,
    format_change,
    format_ci,
    format_n,
    format_number,
    format_p,
    format_percent,
    format_percent_ci,
    format_value,
    is_missing,
)
from reports.disclosure.rules import (
    COMPLEMENTARY,
    PRIMARY,
    REASON_COL,
    SUPPRESSED_COL,
    count_mark,
    format_count,
    is_small_cell,
    not_available_note,
    persons_suppression_note,
    publishable,
    sum_reveals_hidden,
    suppress_breakdowns,
    suppress_distributions,
    suppress_small_groups,
    suppression_note,
    too_small_base,
)
from reports.disclosure.tables import (
    Additive,
    Column,
    Stated,
    format_table,
    group_sums,
    protect_rows,
)

__all__ = [
    "COMPLEMENTARY",
    "NOT_AVAILABLE",
    "PRIMARY",
    "P_FLOOR",
    "REASON_COL",
    "SUPPRESSED",
    "SUPPRESSED_COL",
    "Additive",
    "Column",
    "Stated",
    "auto_decimals",
    "count_mark",
    "format_change",
    "format_ci",
    "format_count",
    "format_n",
    "format_number",
    "format_p",
    "format_percent",
    "format_percent_ci",
    "format_table",
    "format_value",
    "group_sums",
    "is_missing",
    "is_small_cell",
    "not_available_note",
    "persons_suppression_note",
    "protect_rows",
    "publishable",
    "sum_reveals_hidden",
    "suppress_breakdowns",
    "suppress_distributions",
    "suppress_small_groups",
    "suppression_note",
    "too_small_base",
]
