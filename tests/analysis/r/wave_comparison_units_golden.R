# Golden numbers for the extended mixed model of analysis.wave_comparison: staff group as a fixed
# effect and random intercepts per organisation and per respondent within organisation.
#
# Run from the repository root:
#   Rscript tests/analysis/r/wave_comparison_units_golden.R
# It writes
#   tests/analysis/r/wave_comparison_units_input.csv  (the data fitted; Python reads the same file)
#   tests/analysis/r/wave_comparison_units_golden.csv (lme4's results; comment lines start with '#')
#
# Data: the R-computed NoMAD scale scores (scores_golden.csv) of the fixture nomad_wide.csv,
# staff_group from the fixture (per respondent and wave; missing groups dropped), and, because the
# fixture has only two organisations, six synthetic organisations nested by pseudonym
# (organisation = "org" + respondent number %% 6) whose scores are shifted by a fixed amount
# each, so that the organisation variance is not zero.
#
# Model: lmer(score ~ wave + staff_group + (1 | organisation/respondent_id), REML = TRUE), wave a
# factor with levels w1, w2; staff_group a factor with alphabetical levels (as patsy's C()).
suppressPackageStartupMessages(library(lme4))

scores <- read.csv("tests/analysis/r/scores_golden.csv", comment.char = "#", stringsAsFactors = FALSE)
wide <- read.csv("tests/data/analysis/nomad_wide.csv", stringsAsFactors = FALSE,
                 na.strings = c("", "NA"))
scores <- merge(scores, wide[, c("respondent_id", "wave", "staff_group")],
                by = c("respondent_id", "wave"))
scores <- scores[!is.na(scores$score) & !is.na(scores$staff_group), ]
k <- as.integer(substr(scores$respondent_id, 2, 4)) %% 6
scores$organisation <- paste0("org", k)
shift <- c(-0.4, -0.2, 0, 0.1, 0.2, 0.35)
scores$score <- scores$score + shift[k + 1]
scores <- scores[order(scores$scale, scores$wave, scores$respondent_id),
                 c("respondent_id", "wave", "organisation", "staff_group", "scale", "score")]
f <- function(x) sprintf("%.17g", x)
input <- scores
input$score <- f(input$score)
write.csv(input, "tests/analysis/r/wave_comparison_units_input.csv", row.names = FALSE, quote = FALSE)

rows <- list()
add <- function(scale, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(scale = scale, term = term, value = f(value))
}
for (scale in unique(scores$scale)) {
  d <- scores[scores$scale == scale, ]
  d$wave <- factor(d$wave, levels = c("w1", "w2"))
  d$staff_group <- factor(d$staff_group)
  m <- lmer(score ~ wave + staff_group + (1 | organisation/respondent_id), data = d, REML = TRUE)
  cf <- summary(m)$coefficients
  vc <- as.data.frame(VarCorr(m))
  add(scale, "n", nrow(d))
  add(scale, "n_groups", length(unique(d$respondent_id)))
  add(scale, "n_units", length(unique(d$organisation)))
  add(scale, "intercept", cf["(Intercept)", "Estimate"])
  add(scale, "estimate", cf["wavew2", "Estimate"])
  add(scale, "std_error", cf["wavew2", "Std. Error"])
  add(scale, "variance_respondent", vc$vcov[vc$grp == "respondent_id:organisation"])
  add(scale, "variance_organisation", vc$vcov[vc$grp == "organisation"])
  add(scale, "variance_residual", vc$vcov[vc$grp == "Residual"])
  add(scale, "reml_criterion", REMLcrit(m))
}
out <- do.call(rbind, rows)
path <- "tests/analysis/r/wave_comparison_units_golden.csv"
writeLines(c(
  "# Produced by: Rscript tests/analysis/r/wave_comparison_units_golden.R  (from the repository root)",
  sprintf("# %s; lme4 %s; Matrix %s", R.version.string, packageVersion("lme4"), packageVersion("Matrix")),
  "# input: tests/analysis/r/wave_comparison_units_input.csv; lmer(score ~ wave + staff_group + (1 | organisation/respondent_id))"
), path)
suppressWarnings(write.table(out, path, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE))
