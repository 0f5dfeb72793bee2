# Golden numbers for analysis/agreement.py: Cohen's kappa and its confidence interval from psych.
# Run from the repository root:  Rscript tests/analysis/r/agreement_golden.R
# Writes tests/analysis/r/agreement_golden.csv (17 significant digits; the header names the
# command, the R version and the psych version). The tests read the CSV; they never run R.
suppressPackageStartupMessages(library(psych))

out_file <- "tests/analysis/r/agreement_golden.csv"

# 1. Fleiss, Cohen & Everitt (1969), Psychol Bull 72:323-327, table 1 (also in ?psych::cohen.kappa):
#    200 subjects, two raters, three categories; the paper gives kappa = .429.
fleiss1969 <- matrix(c(106, 10, 4, 22, 28, 10, 2, 12, 6), ncol = 3, byrow = TRUE)

# 2. Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section A (binary data,
#    two observers, no missing data): ten units.
kripp_a <- cbind(a = c(0, 1, 0, 0, 0, 0, 0, 0, 1, 0),
                 b = c(1, 1, 1, 0, 0, 1, 0, 0, 0, 0))

# 3. A small synthetic set: two coders, 30 segments, codes 1-3 (typed out in the test too).
synthetic <- cbind(
  a = c(1, 1, 2, 3, 1, 2, 2, 3, 3, 1, 2, 1, 1, 3, 2, 2, 1, 3, 3, 2, 1, 1, 2, 3, 1, 2, 3, 3, 1, 2),
  b = c(1, 2, 2, 3, 1, 2, 1, 3, 2, 1, 2, 1, 3, 3, 2, 2, 1, 3, 1, 2, 1, 1, 2, 3, 2, 2, 3, 3, 1, 1))

row_of <- function(name, fit) {
  data.frame(case = name, kappa = fit$kappa, var_kappa = fit$var.kappa,
             ci_low = fit$confid[1, 1], ci_high = fit$confid[1, 3], n = fit$n.obs)
}
rows <- rbind(
  row_of("fleiss1969", cohen.kappa(fleiss1969)),
  row_of("krippendorff2011_a", cohen.kappa(kripp_a)),
  row_of("synthetic30", cohen.kappa(synthetic))
)
header <- c(
  "# psych::cohen.kappa(x) with default alpha = .05: $kappa, $var.kappa, $confid[1, c(1, 3)], $n.obs",
  "# made by: Rscript tests/analysis/r/agreement_golden.R",
  paste0("# ", R.version.string, "; psych ", as.character(packageVersion("psych")))
)
writeLines(header, out_file)
suppressWarnings(write.table(format(rows, digits = 17), out_file, sep = ",", row.names = FALSE,
                             quote = FALSE, append = TRUE))
