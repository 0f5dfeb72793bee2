"""The column vocabulary of the results contract (:mod:`analysis.columns`): every column name
that any results table may use, its default dtype and its one meaning.

A name means the same thing in every table; a table adds only which values the column takes
there (:attr:`analysis.columns.Table.notes`). Dtypes: ``str`` (text, empty where missing),
``float``, ``int`` (never missing), ``Int64`` (a whole number, empty where missing), ``bool``
(never missing) and ``boolean`` (empty where missing).
"""

from __future__ import annotations

from typing import Any, Literal, cast

__all__ = ["DTYPES", "KEY_WORDS", "PANDAS_DTYPES", "VOCABULARY", "Dtype"]

Dtype = Literal["str", "float", "int", "Int64", "bool", "boolean"]

#: The words of the vocabulary that are easy to confuse, as the documentation explains them.
KEY_WORDS = """\
- **Time.** `wave` is a survey occasion (`T0`); `period` an indicator period (`2018-03`, `2018`)
  and `periods` a range of them (`2017–2018`); `round` an interview round (`r1`). They never
  stand in for each other.
- **Breakdowns.** `group_by` names the breakdown a row belongs to (`staff_group`,
  `organisation`, `sex`; `;`-joined when crossed) and `group` its value there; `all` in both is
  the row of everyone. Named roles keep their own names: `staff_group`, `stakeholder_group`,
  `organisation`.
- **What an estimate is.** `measure` names the quantity in `estimate` (`cronbach_alpha`,
  `cohen_kappa`, `proportion`); `effect_scale` says whether an ITS estimate is a `difference`, a
  `ratio` or on the `linear_predictor` scale; `scale` is always a survey scale.
- **Inference.** `estimate`, `std_error`, `ci_low`/`ci_high`, `statistic`, `df`, `p_value` and
  `method` wherever they apply; `std_error` wherever the method has one; `note` says why an
  estimate is empty.
"""

#: What each dtype means in a CSV (DTYPES) and in pandas (PANDAS_DTYPES).
DTYPES: dict[str, str] = {
    "str": "text; empty where missing",
    "float": "a number (float64); empty where missing",
    "int": "a whole number (int64); never missing",
    "Int64": "a whole number; empty where missing",
    "bool": "True or False; never missing",
    "boolean": "True or False; empty where missing",
}
PANDAS_DTYPES: dict[str, Any] = {"str": "str", "float": "float64", "int": "int64", "Int64": "Int64"}
PANDAS_DTYPES |= {"bool": "bool", "boolean": "boolean"}

#: The vocabulary as written: ``name  dtype  meaning``, a meaning continued on indented lines.
_VOCABULARY_TEXT = """
# keys and breakdowns
instrument              str     survey instrument id (`nomad`, `pcat`)
wave                    str     survey wave id (a survey occasion, `T0`); never an indicator period
scale                   str     survey scale id of the instrument (`coherence`); only ever a survey
                                scale
item                    str     survey item id without the instrument prefix (`co1`, `g1`)
group_by                str     the breakdown the row belongs to (`staff_group`, `organisation`,
                                `sex`; `;`-joined when crossed); `all` for everyone
group                   str     the row's value of `group_by` (`nurse`, `kvinna`; `;`-joined like
                                `group_by`); `all` for everyone; empty where the value is missing
organisation            str     organisation id from project.yaml; `all` for every organisation
staff_group             str     staff group id from project.yaml; `all` for every staff group
stakeholder_group       str     interview stakeholder group id; `all` for every group
indicator               str     indicator id from project.yaml
unit                    str     organisational unit an indicator value belongs to; `all` for the
                                total
outcome                 str     participant outcome id from project.yaml
goal                    str     goal id from project.yaml
round                   str     interview round id (`r1`); `all` for every round
period                  str     indicator period label (`2018-03`, `2018-Q1`, `2018`)
periods                 str     range of indicator periods a value pools (`2017–2018`)
code                    str     code id of the codebook or a project code; a construct id on
                                construct rows
code_level              str     `code` (codes as applied), `construct` (rolled up), `all` (pooled) or
                                `code_group` (a code group's codes as the categories of one
                                variable)
construct               str     NPT construct id
# what the row holds
measure                 str     the named quantity in `estimate` (`cronbach_alpha`, `cohen_kappa`,
                                `proportion`)
term                    str     model term: `pre_trend`, `level_change`, `slope_change`,
                                `effect_<h><m|q|y>_absolute`/`_relative` (h periods after the
                                interruption) or the model's own coefficient names (`intercept`,
                                `time`, `level`, `slope`, `sin1`)
effect_scale            str     scale of an ITS estimate: `difference`, `ratio` (rate ratio or ratio
                                of means) or `linear_predictor` (log scale for count models)
diagnostic              str     name of a model check or setting (`dispersion`, `durbin_watson`,
                                `formula`, `design`, `interval`), `fit_warning` (what the fitting
                                library warned) or `not_fitted` (why there is no model)
model                   str     model family of a time series (`gaussian`, `poisson`,
                                `quasipoisson`, `negbin`)
phase                   str     `before` or `after` the intervention, or `difference` (after −
                                before)
sample                  str     respondents a change rests on: `linked` (in both waves), `unlinked`
                                (in one) or `all` (mixed model)
contrast                str     the compared waves as `<follow-up> - <baseline>`
baseline_wave           str     the earlier wave of a contrast
follow_up_wave          str     the later wave of a contrast
comparison              str     `omnibus` (all groups at once) or `pairwise` (two groups)
group_a                 str     first group of a pairwise comparison (a value of `group_by`)
group_b                 str     second group of a pairwise comparison; the estimate is b − a
groups_included         str     `;`-joined groups tested (at least the small-cell threshold)
groups_excluded         str     `;`-joined groups left out as too small (names only)
# inference
n                       int     observations the estimate rests on (respondents, complete cases,
                                persons, periods: see the table)
estimate                float   the point estimate of `measure` (or of the row's term or test)
std_error               float   standard error of `estimate` (of its logarithm on `ratio` rows of
                                ITS tables); empty where the method has none
ci_low                  float   lower bound of the confidence interval of `estimate` (95 % unless
                                project.yaml says otherwise)
ci_high                 float   upper bound of the confidence interval of `estimate`
statistic               float   test statistic (t, z, F, H, V, W: see `method`)
df                      float   degrees of freedom of the test (numerator df for F)
df2                     float   denominator degrees of freedom of an F test
p_value                 float   two-sided p-value, unadjusted
p_adjusted              float   p-value adjusted for multiple comparisons (Holm)
method                  str     how the row was computed, in words (test, interval, rule)
note                    str     why `estimate` is empty, or a caveat about it; empty otherwise
effect_size             float   standardised effect size named by `effect_size_measure`
effect_size_ci_low      float   lower bound of the effect size's interval (see the table)
effect_size_ci_high     float   upper bound of the effect size's interval
effect_size_measure     str     the effect size: `cohen_dz`, `hedges_g`, `rank_biserial`,
                                `omega_squared`, `epsilon_squared`
# descriptive statistics
mean                    float   arithmetic mean
sd                      float   sample standard deviation (n − 1)
median                  float   median (R quantile type 7)
q1                      float   first quartile (R quantile type 7)
q3                      float   third quartile (R quantile type 7)
share                   float   a proportion between 0 and 1
share_of_scored         float   `n` over the item's scored answers (scored rows only)
total                   float   persons counted in the group (the denominator of `share`)
# survey specifics
k_items                 int     items in the scale
r_item_rest             float   Pearson correlation of the item with the sum of the other items
alpha_if_deleted        float   Cronbach's alpha of the scale without the item
response_kind           str     `scored`, `not_applicable`, `declared_missing` or `missing`
response                str     a code as answered, a not-applicable key, `declared_missing` or `missing`
n_linked                int     respondents with a score in both waves
n_baseline              int     respondents with a score in the baseline wave
n_follow_up             int     respondents with a score in the follow-up wave
n_present_both          int     pseudonyms present in both waves, with or without a score
n_respondents           Int64   respondents in a mixed model (its level-2 groups)
n_organisations         Int64   organisations in a mixed model with an organisation intercept
formula                 str     the mixed model in lme4 notation
variance_respondent     float   variance of the respondent intercepts
variance_organisation   float   variance of the organisation intercepts
variance_residual       float   residual variance
converged               boolean whether the optimiser converged
k_groups                int     groups tested
invited                 int     persons invited, as declared in project.yaml
responded               int     respondents loaded
rate                    float   `responded / invited`; may exceed 1 when the invited count is old
threshold               float   the response-rate threshold of project.yaml
below_threshold         bool    whether `rate` is below `threshold`
range_low               float   lowest possible value of the scale or item
range_high              float   highest possible value of the scale or item
green_from              float   value from which the traffic light is green
yellow_from             float   value from which the traffic light is yellow
light                   str     `green`, `yellow` or `red`; empty where the mean is missing
kind                    str     the kind of export an ingest loaded (`survey`, `indicators`,
                                `codings`)
file                    str     name of the loaded export file
sha256                  str     SHA-256 of the loaded export file
rows_read               int     rows read from the file
rows_loaded             int     rows loaded into the store
rows_quarantined        int     rows kept out by validation
rule                    str     id of the validation rule a row failed
# indicators
post                    bool    whether the period is at or after the interruption
observed                float   the observed value of the period
denominator             float   the period's denominator (the offset of a rate)
fitted                  float   the model's value for the period
fitted_ci_low           float   lower bound of the fitted value's interval
fitted_ci_high          float   upper bound of the fitted value's interval
counterfactual          float   the model's value without the intervention terms
counterfactual_ci_low   float   lower bound of the counterfactual's interval
counterfactual_ci_high  float   upper bound of the counterfactual's interval
detail                  str     the diagnostic's detail in words (a lag, a formula, a setting)
indicator_measure       str     the indicator's declared measure: `count`, `proportion` or `mean`
first_period            str     first period with data
last_period             str     last period with data
n_periods               int     periods with data
value_total             float   sum of the values over the periods
denominator_total       float   sum of the denominators over the periods
level                   str     goal level: `impact`, `project` or `sub_goal`
baseline                float   the value before the intervention (declared or from the data)
target                  float   the value to reach
achieved                float   the value reached by the deadline
deadline                str     the date the target is due (ISO 8601)
status                  str     `reached`, `partly_reached`, `not_reached` or `not_measured` (see
                                docs/indicators.md)
progress                float   `(achieved − baseline) / (target − baseline)`
status_source           str     where `status` came from (see the table)
baseline_source         str     `declared` or `data <periods>`
achieved_periods        str     the periods `achieved` pools
evidence_sv             str     the evaluator's evidence for a goal, Swedish
evidence_en             str     the evaluator's evidence for a goal, English
node                    str     id of a node of the project logic (a goal, an activity or an
                                indicator)
kind                    str     kind of a node of the project logic: `impact`, `project`,
                                `sub_goal`, `activity` or `indicator`
label_sv                str     the node's label, Swedish
label_en                str     the node's label, English
links_to                str     `;`-joined nodes this node contributes to
category                str     an outcome category id
categories              str     `;`-joined outcome categories that count toward the target
toward_target           bool    whether the category counts toward the outcome's target
ci_position             str     the interval against the target: `above`, `below` or `includes`
# codings
n_documents             int     documents counted (see the table for which)
n_segments              int     coded segments counted
documents_in_group      int     documents of the stakeholder group × round (coded or not)
share_of_documents      float   `n_documents / documents_in_group`
code_type               str     `construct`, `sub_construct` or `project` (a project's own code)
code_a                  str     first code of a pair
code_b                  str     second code of a pair
unit_of_analysis        str     what one agreement unit is: `segment` (a segment; with codes, a
                                segment × code decision) or `document` (a document × code
                                decision: the code present in the document or not)
metric                  str     how an agreement coefficient weighs disagreement: alpha's level of
                                measurement or kappa's weights
coders                  str     `;`-joined ids of the coders whose values the row rests on
n_units                 int     units judged by at least two coders
n_coders                int     coders with a value in those units
n_values                int     pairable values (Krippendorff's n)
rank                    int     a quote's rank within its construct × stakeholder group
segment_id              str     pseudonymous id of a coded segment
speaker_id              str     keyed pseudonym of a speaker
speaker_number          int     a speaker's number within the stakeholder group
speaker_sv              str     how the report names the speaker, Swedish (`Medarbetare 3`)
speaker_en              str     how the report names the speaker, English (`Staff member 3`)
quote                   str     the quoted segment, redacted
n_chars                 int     characters in the quote
confirmed               bool    whether the second coder coded the same construct on the segment
n_speakers              int     distinct speakers
n_double_coded          int     documents coded by at least two coders
"""


def _parse_vocabulary(text: str) -> dict[str, tuple[Dtype, str]]:
    entries: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(" "):
            entries[next(reversed(entries))].append(line.strip())
            continue
        name, dtype, meaning = line.split(maxsplit=2)
        entries[name] = [dtype, meaning]
    return {
        name: (cast(Dtype, dtype), " ".join(words)) for name, (dtype, *words) in entries.items()
    }


#: One meaning per column name, in every table: name -> (default dtype, meaning).
VOCABULARY: dict[str, tuple[Dtype, str]] = _parse_vocabulary(_VOCABULARY_TEXT)
