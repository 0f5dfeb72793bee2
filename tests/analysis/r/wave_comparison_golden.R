# Golden numbers for analysis.wave_comparison: change between waves w1 -> w2 per NoMAD scale of
# the synthetic fixture, using the scale scores R itself computed (scores_golden.csv).
#
# Run from the repository root:
#   Rscript tests/analysis/r/wave_comparison_golden.R
# It writes tests/analysis/r/wave_comparison_golden.csv (comment lines start with '#').
#
# linked   = respondents with a score in both waves: t.test(w2, w1, paired = TRUE);
#            wilcox.test(w2, w1, paired = TRUE, exact = FALSE, correct = TRUE)
# unlinked = the others: t.test(w2, w1, var.equal = FALSE); wilcox.test(w2, w1, exact = FALSE)
# all      = lme4::lmer(score ~ wave + (1 | respondent_id), REML = TRUE), wave a factor with
#            levels w1, w2: fixed effects, their SEs and the variance components
suppressPackageStartupMessages(library(lme4))

scores <- read.csv("tests/analysis/r/scores_golden.csv", comment.char = "#", stringsAsFactors = FALSE)
scores <- scores[!is.na(scores$score), ]
f <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(scale, sample, method, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(scale = scale, sample = sample, method = method,
                                          term = term, value = f(value))
}
for (scale in unique(scores$scale)) {
  d <- scores[scores$scale == scale, ]
  b <- d[d$wave == "w1", ]; a <- d[d$wave == "w2", ]
  linked <- intersect(b$respondent_id, a$respondent_id)
  x <- b$score[match(linked, b$respondent_id)]; y <- a$score[match(linked, a$respondent_id)]
  add(scale, "linked", "paired_t", "n", length(linked))
  tt <- t.test(y, x, paired = TRUE)
  add(scale, "linked", "paired_t", "estimate", tt$estimate)
  add(scale, "linked", "paired_t", "ci_low", tt$conf.int[1])
  add(scale, "linked", "paired_t", "ci_high", tt$conf.int[2])
  add(scale, "linked", "paired_t", "statistic", tt$statistic)
  add(scale, "linked", "paired_t", "df", tt$parameter)
  add(scale, "linked", "paired_t", "p_value", tt$p.value)
  w <- wilcox.test(y, x, paired = TRUE, exact = FALSE, correct = TRUE)
  add(scale, "linked", "wilcoxon", "statistic", w$statistic)
  add(scale, "linked", "wilcoxon", "p_value", w$p.value)
  xu <- b$score[!(b$respondent_id %in% linked)]; yu <- a$score[!(a$respondent_id %in% linked)]
  tt <- t.test(yu, xu, var.equal = FALSE)
  add(scale, "unlinked", "welch_t", "n", length(xu) + length(yu))
  add(scale, "unlinked", "welch_t", "estimate", tt$estimate[1] - tt$estimate[2])
  add(scale, "unlinked", "welch_t", "ci_low", tt$conf.int[1])
  add(scale, "unlinked", "welch_t", "ci_high", tt$conf.int[2])
  add(scale, "unlinked", "welch_t", "statistic", tt$statistic)
  add(scale, "unlinked", "welch_t", "df", tt$parameter)
  add(scale, "unlinked", "welch_t", "p_value", tt$p.value)
  w <- wilcox.test(yu, xu, exact = FALSE, correct = TRUE)
  add(scale, "unlinked", "mann_whitney", "statistic", w$statistic)
  add(scale, "unlinked", "mann_whitney", "p_value", w$p.value)
  d$wave <- factor(d$wave, levels = c("w1", "w2"))
  m <- lmer(score ~ wave + (1 | respondent_id), data = d, REML = TRUE)
  cf <- summary(m)$coefficients
  vc <- as.data.frame(VarCorr(m))
  add(scale, "all", "lmer", "n", nrow(d))
  add(scale, "all", "lmer", "intercept", cf["(Intercept)", "Estimate"])
  add(scale, "all", "lmer", "estimate", cf["wavew2", "Estimate"])
  add(scale, "all", "lmer", "std_error", cf["wavew2", "Std. Error"])
  add(scale, "all", "lmer", "variance_respondent", vc$vcov[vc$grp == "respondent_id"])
  add(scale, "all", "lmer", "variance_residual", vc$vcov[vc$grp == "Residual"])
}
out <- do.call(rbind, rows)
path <- "tests/analysis/r/wave_comparison_golden.csv"
writeLines(c(
  "# Produced by: Rscript tests/analysis/r/wave_comparison_golden.R  (from the repository root)",
  sprintf("# %s; lme4 %s; Matrix %s", R.version.string, packageVersion("lme4"), packageVersion("Matrix")),
  "# input: tests/analysis/r/scores_golden.csv (NoMAD scale scores of tests/data/analysis/nomad_wide.csv)"
), path)
suppressWarnings(write.table(out, path, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE))
