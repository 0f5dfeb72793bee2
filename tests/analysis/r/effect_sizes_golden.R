# Golden numbers for analysis/effect_sizes.py and the effect sizes of analysis/two_sample.py and
# analysis/group_comparison.py, from the R-computed NoMAD scale scores of the synthetic fixture
# (scores_golden.csv, waves w1 -> w2; staff groups of nomad_wide.csv, groups n < 5 dropped).
#
#   Rscript tests/analysis/r/effect_sizes_golden.R     (from the repository root; needs r-cran-effectsize)
#
# Per scale:
#   linked (paired):   effectsize::cohens_d(w2, w1, paired = TRUE) (d_z and its noncentral-t CI);
#                      effectsize::rank_biserial(Pair(w2, w1) ~ 1) (r and its CI; called with Pair()
#                      because rank_biserial(w2, w1, paired = TRUE) in effectsize 0.8.3 counts the
#                      non-zero w2 scores, not the non-zero differences, for the CI's standard error);
#                      the Hodges-Lehmann estimate (median of the Walsh averages of the non-zero
#                      differences) with the order-statistic CI at qsignrank(0.025, n), as
#                      wilcox.test(exact = TRUE, conf.int = TRUE) computes it (written out, because
#                      with ties wilcox.test falls back to its asymptotic inversion);
#   unlinked:          effectsize::hedges_g(w2, w1) (exact J, noncentral-t CI);
#                      effectsize::rank_biserial(w2, w1) (r and its CI);
#                      the Hodges-Lehmann shift (median of all differences) with the order-statistic
#                      CI at the normal approximation of qwilcox (samples of 50 or more) written out;
#   per wave, staff groups: effectsize::omega_squared(aov(score ~ group), alternative = "two.sided")
#                      (omega squared truncated at 0; its CI from the F implied by that omega squared,
#                      effectsize's F_to_omega2) and effectsize::rank_epsilon_squared(score ~ group)
#                      (point estimate; its CI is a bootstrap).
# effectsize finds noncentrality parameters with optim (abstol 1e-9 on probabilities), so its
# interval bounds are accurate to about 1e-6; the rows "precise" solve the same equations with
# uniroot to 1e-13 (the Python test compares with both, at 1e-5 and 1e-8).
# Two tie-free samples also give wilcox.test's own exact intervals (cases "exact_*").
suppressPackageStartupMessages(library(effectsize))
scores <- read.csv("tests/analysis/r/scores_golden.csv", comment.char = "#", stringsAsFactors = FALSE)
wide <- read.csv("tests/data/analysis/nomad_wide.csv", na.strings = c("", "NA"), stringsAsFactors = FALSE)
scores <- scores[!is.na(scores$score), ]
rows <- list()
add <- function(case, scale, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, scale = scale, term = term,
                                          value = sprintf("%.17g", value))
}
ncp_t <- function(t, df, conf = 0.95) {  # the noncentral-t interval solved precisely
  g <- 1 - conf
  sapply(c(1 - g / 2, g / 2), function(p)
    uniroot(function(ncp) pt(t, df, ncp) - p, c(t - 30, t + 30), tol = 1e-13)$root)
}
ncp_f <- function(f, df1, df2, conf = 0.95) {
  g <- 1 - conf
  sapply(c(1 - g / 2, g / 2), function(p)
    if (f <= qf(p, df1, df2)) 0 else uniroot(function(ncp) pf(f, df1, df2, ncp) - p,
                                             c(0, 2 * f * df1 + 10), tol = 1e-13)$root)
}
hl_paired <- function(d, conf = 0.95) {
  d <- d[d != 0]; n <- length(d)
  w <- outer(d, d, "+") / 2
  w <- sort(w[lower.tri(w, diag = TRUE)])
  q <- if (n < 50) qsignrank((1 - conf) / 2, n) else
    ceiling(n * (n + 1) / 4 - 0.5 - qnorm(1 - (1 - conf) / 2) * sqrt(n * (n + 1) * (2 * n + 1) / 24))
  q <- max(q, 1)
  c(median(w), w[q], w[length(w) - q + 1])
}
hl_shift <- function(y, x, conf = 0.95) {
  d <- sort(as.vector(outer(y, x, "-"))); m <- length(x) * length(y)
  q <- if (length(x) < 50 && length(y) < 50) qwilcox((1 - conf) / 2, length(y), length(x)) else
    ceiling(m / 2 - 0.5 - qnorm(1 - (1 - conf) / 2) * sqrt(m * (length(x) + length(y) + 1) / 12))
  q <- max(q, 1)
  c(median(d), d[q], d[m - q + 1])
}

for (scale in unique(scores$scale)) {
  d <- scores[scores$scale == scale, ]
  b <- d[d$wave == "w1", ]; a <- d[d$wave == "w2", ]
  linked <- intersect(b$respondent_id, a$respondent_id)
  x <- b$score[match(linked, b$respondent_id)]; y <- a$score[match(linked, a$respondent_id)]
  dz <- cohens_d(y, x, paired = TRUE)
  add("linked", scale, "dz", dz$Cohens_d); add("linked", scale, "dz_ci_low", dz$CI_low)
  add("linked", scale, "dz_ci_high", dz$CI_high)
  n <- length(y); ci <- ncp_t(mean(y - x) / sd(y - x) * sqrt(n), n - 1) / sqrt(n)
  add("linked_precise", scale, "dz_ci_low", ci[1]); add("linked_precise", scale, "dz_ci_high", ci[2])
  rb <- rank_biserial(Pair(y, x) ~ 1)
  add("linked", scale, "rank_biserial", rb$r_rank_biserial)
  add("linked", scale, "rank_biserial_ci_low", rb$CI_low); add("linked", scale, "rank_biserial_ci_high", rb$CI_high)
  hl <- hl_paired(y - x)
  add("linked", scale, "hl", hl[1]); add("linked", scale, "hl_ci_low", hl[2]); add("linked", scale, "hl_ci_high", hl[3])
  xu <- b$score[!(b$respondent_id %in% linked)]; yu <- a$score[!(a$respondent_id %in% linked)]
  g <- hedges_g(yu, xu)
  add("unlinked", scale, "g", g$Hedges_g); add("unlinked", scale, "g_ci_low", g$CI_low)
  add("unlinked", scale, "g_ci_high", g$CI_high)
  n1 <- length(xu); n2 <- length(yu); df <- n1 + n2 - 2
  sp <- sqrt(((n1 - 1) * var(xu) + (n2 - 1) * var(yu)) / df); s12 <- sqrt(1 / n1 + 1 / n2)
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  ci <- J * ncp_t((mean(yu) - mean(xu)) / sp / s12, df) * s12
  add("unlinked_precise", scale, "g_ci_low", ci[1]); add("unlinked_precise", scale, "g_ci_high", ci[2])
  rb <- rank_biserial(yu, xu)
  add("unlinked", scale, "rank_biserial", rb$r_rank_biserial)
  add("unlinked", scale, "rank_biserial_ci_low", rb$CI_low); add("unlinked", scale, "rank_biserial_ci_high", rb$CI_high)
  hl <- hl_shift(yu, xu)
  add("unlinked", scale, "hl", hl[1]); add("unlinked", scale, "hl_ci_low", hl[2]); add("unlinked", scale, "hl_ci_high", hl[3])
}

groups <- merge(scores, wide[, c("respondent_id", "wave", "staff_group")], by = c("respondent_id", "wave"))
groups <- groups[!is.na(groups$staff_group), ]
for (wave in c("w1", "w2")) for (scale in unique(groups$scale)) {
  d <- groups[groups$wave == wave & groups$scale == scale, ]
  sizes <- table(d$staff_group)
  d <- d[d$staff_group %in% names(sizes)[sizes >= 5], ]
  d$staff_group <- factor(d$staff_group)
  fit <- aov(score ~ staff_group, data = d)
  w2 <- omega_squared(fit, alternative = "two.sided")
  case <- paste0("groups_", wave)
  add(case, scale, "omega2", w2$Omega2); add(case, scale, "omega2_ci_low", w2$CI_low)
  add(case, scale, "omega2_ci_high", w2$CI_high)
  tab <- summary(fit)[[1]]
  # effectsize's interval starts from the F implied by the (truncated) omega squared
  f <- max(0, (w2$Omega2 / tab[1, "Df"]) / ((1 - w2$Omega2) / tab[2, "Df"]))
  ci <- ncp_f(f, tab[1, "Df"], tab[2, "Df"])
  add(paste0(case, "_precise"), scale, "omega2_ci_low", ci[1] / (ci[1] + tab[2, "Df"]))
  add(paste0(case, "_precise"), scale, "omega2_ci_high", ci[2] / (ci[2] + tab[2, "Df"]))
  e2 <- rank_epsilon_squared(score ~ staff_group, data = d, ci = NULL)
  add(case, scale, "epsilon2", e2$rank_epsilon_squared)
}

# wilcox.test's own exact Hodges-Lehmann intervals (no ties, no zero differences, n < 50)
x <- c(3.1, 2.4, 4.0, 3.6, 2.2, 4.9, 3.3, 2.8, 4.4, 1.9, 3.8, 2.6)
y <- c(3.91, 3.02, 4.53, 3.36, 3.15, 5.27, 4.01, 2.86, 5.68, 2.08, 4.24, 3.72)
z <- c(3.95, 3.02, 4.53, 3.41, 3.17, 5.83, 4.04, 2.93, 5.71)
w <- wilcox.test(y, x, paired = TRUE, exact = TRUE, conf.int = TRUE)
add("exact_paired", "", "hl", w$estimate); add("exact_paired", "", "hl_ci_low", w$conf.int[1])
add("exact_paired", "", "hl_ci_high", w$conf.int[2])
w <- wilcox.test(z, x, exact = TRUE, conf.int = TRUE)
add("exact_shift", "", "hl", w$estimate); add("exact_shift", "", "hl_ci_low", w$conf.int[1])
add("exact_shift", "", "hl_ci_high", w$conf.int[2])

out <- do.call(rbind, rows)
path <- "tests/analysis/r/effect_sizes_golden.csv"
writeLines(c(
  "# Produced by: Rscript tests/analysis/r/effect_sizes_golden.R  (from the repository root)",
  sprintf("# %s; effectsize %s", R.version.string, packageVersion("effectsize")),
  "# input: tests/analysis/r/scores_golden.csv + staff_group of tests/data/analysis/nomad_wide.csv"
), path)
write.table(out, path, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE)
