# Golden numbers for analysis.reliability: Cronbach's alpha (psych::alpha, raw_alpha on complete
# cases) and its Feldt CI (psych::alpha.ci), per wave and pooled, for the four NoMAD scales of
# tests/data/analysis/nomad_wide.csv. CA2 is reverse-keyed and reversed by psych's `keys=`, so
# R never sees our reversal.
#
# Run from the repository root:
#   Rscript tests/analysis/r/alpha_golden.R
# It writes tests/analysis/r/alpha_golden.csv (comment lines start with '#').
suppressPackageStartupMessages(library(psych))

wide <- read.csv("tests/data/analysis/nomad_wide.csv", na.strings = c("", "NA"),
                 stringsAsFactors = FALSE)
scales <- list(
  coherence = paste0("nomad_co", 1:4),
  cognitive_participation = paste0("nomad_cp", 1:4),
  collective_action = paste0("nomad_ca", 1:7),
  reflexive_monitoring = paste0("nomad_rm", 1:5)
)
reverse <- c("nomad_ca2")

rows <- list()
for (wave in c("w1", "w2", "all")) {
  d <- if (wave == "all") wide else wide[wide$wave == wave, ]
  for (scale in names(scales)) {
    items <- scales[[scale]]
    x <- na.omit(d[, items])               # listwise: psych::alpha itself is pairwise
    keys <- ifelse(items %in% reverse, -1, 1)
    a <- alpha(x, keys = keys, warnings = FALSE)$total$raw_alpha
    for (confidence in c(0.95, 0.90)) {
      ci <- alpha.ci(a, n.obs = nrow(x), n.var = ncol(x), p.val = 1 - confidence)
      rows[[length(rows) + 1]] <- data.frame(
        wave = wave, scale = scale, confidence = confidence, n = nrow(x), k_items = ncol(x),
        estimate = sprintf("%.17g", a), ci_low = sprintf("%.17g", ci$lower.ci),
        ci_high = sprintf("%.17g", ci$upper.ci))
    }
  }
}
out <- do.call(rbind, rows)
path <- "tests/analysis/r/alpha_golden.csv"
writeLines(c(
  "# Produced by: Rscript tests/analysis/r/alpha_golden.R  (from the repository root)",
  sprintf("# %s; psych %s", R.version.string, packageVersion("psych")),
  "# estimate = psych::alpha(na.omit(x), keys = ...)$total$raw_alpha;",
  "# ci_low/ci_high = psych::alpha.ci(estimate, n.obs, n.var, p.val = 1 - confidence)"
), path)
suppressWarnings(write.table(out, path, sep = ",", row.names = FALSE, quote = FALSE,
                             append = TRUE))
