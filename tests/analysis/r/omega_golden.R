# Golden numbers for analysis.reliability.mcdonald_omega: psych::omega(x, nfactors = 1)$omega.tot
# (one factor, fm = "minres", correlations) on complete cases of each NoMAD scale and wave of
# tests/data/analysis/nomad_wide.csv, CA2 reversed (6 - x) first.
#
# Run from the repository root:
#   Rscript tests/analysis/r/omega_golden.R
# It writes tests/analysis/r/omega_golden.csv (comment lines start with '#').
suppressPackageStartupMessages({library(psych); library(GPArotation)})
wide <- read.csv("tests/data/analysis/nomad_wide.csv", na.strings = c("", "NA"), stringsAsFactors = FALSE)
wide$nomad_ca2 <- 6 - wide$nomad_ca2
scales <- list(coherence = paste0("nomad_co", 1:4), cognitive_participation = paste0("nomad_cp", 1:4),
               collective_action = paste0("nomad_ca", 1:7), reflexive_monitoring = paste0("nomad_rm", 1:5))
rows <- list()
for (wave in c("w1", "w2")) for (scale in names(scales)) {
  x <- na.omit(wide[wide$wave == wave, scales[[scale]]])
  o <- suppressWarnings(suppressMessages(omega(x, nfactors = 1, plot = FALSE)))
  rows[[length(rows) + 1]] <- data.frame(wave = wave, scale = scale, n = nrow(x),
                                         omega_total = sprintf("%.17g", o$omega.tot))
}
path <- "tests/analysis/r/omega_golden.csv"
writeLines(c("# Produced by: Rscript tests/analysis/r/omega_golden.R  (from the repository root)",
             sprintf("# %s; psych %s; GPArotation %s", R.version.string, packageVersion("psych"),
                     packageVersion("GPArotation")),
             "# omega_total = psych::omega(na.omit(x), nfactors = 1)$omega.tot"), path)
suppressWarnings(write.table(do.call(rbind, rows), path, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE))
