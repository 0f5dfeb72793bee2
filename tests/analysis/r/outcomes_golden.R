# Golden numbers for analysis/outcomes.py (shares of persons with Wilson intervals; target test),
# written to outcomes_golden.csv.
#
#   Rscript tests/analysis/r/outcomes_golden.R
#
# The Wilson score interval is computed twice: by its formula (Wilson 1927; Newcombe 1998, method 3)
# and as the interval of prop.test(x, n, correct = FALSE), which is the Wilson score interval; the
# script stops if the two differ by more than 1e-12. (binom.test is Clopper-Pearson, not Wilson.)
# The p-value is prop.test(x, n, p = p0, correct = FALSE)$p.value: the two-sided score test.
# Cases: the Spira flow of shared/seeds/004 (98 started: 58, 26, 1, 5, 8; 80 took a step towards
# work against a 70 % target), Newcombe's 81/263 (Table I), the edges 0/12 and 12/12, and other
# confidence levels.
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
cases <- data.frame(
  case = c("rehab_58_98", "work_26_98", "studies_1_98", "other_support_5_98", "unknown_8_98",
           "step_80_98", "work_or_studies_27_98", "newcombe_81_263", "zero_0_12", "all_12_12",
           "small_3_7_conf90", "share_56_70_conf99"),
  x = c(58, 26, 1, 5, 8, 80, 27, 81, 0, 12, 3, 56),
  n = c(98, 98, 98, 98, 98, 98, 98, 263, 12, 12, 7, 70),
  conf = c(0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.90, 0.99),
  p0 = c(0.5, 0.25, 0.05, 0.05, 0.1, 0.7, 0.3, 0.3, 0.2, 0.8, 0.5, 0.7)
)
wilson <- function(x, n, conf) {
  z <- qnorm(0.5 + conf / 2); p <- x / n
  centre <- p + z^2 / (2 * n); half <- z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))
  c((centre - half) / (1 + z^2 / n), (centre + half) / (1 + z^2 / n))
}
rows <- lapply(seq_len(nrow(cases)), function(i) {
  r <- cases[i, ]
  w <- wilson(r$x, r$n, r$conf)
  pt <- suppressWarnings(prop.test(r$x, r$n, conf.level = r$conf, correct = FALSE))
  stopifnot(max(abs(w - as.numeric(pt$conf.int))) < 1e-12)
  p <- suppressWarnings(prop.test(r$x, r$n, p = r$p0, correct = FALSE))$p.value
  data.frame(case = r$case, x = r$x, n = r$n, conf = r$conf, p0 = r$p0, share = r$x / r$n,
             ci_low = pt$conf.int[1], ci_high = pt$conf.int[2], p_value = p)
})
out <- do.call(rbind, rows)
file <- file.path(here, "outcomes_golden.csv")
writeLines(c("# Written by: Rscript tests/analysis/r/outcomes_golden.R",
             paste0("# ", R.version.string, "; base R stats (prop.test, correct = FALSE)"),
             "# ci_low/ci_high: Wilson score interval (= prop.test conf.int); p_value: score test of p0. 17 significant digits."),
           file)
out[] <- lapply(out, function(v) if (is.numeric(v)) trimws(formatC(v, digits = 17, format = "g")) else v)
suppressWarnings(write.table(out, file, sep = ",", row.names = FALSE, append = TRUE))
