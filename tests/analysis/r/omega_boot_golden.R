# Golden numbers for the bootstrap interval of analysis.omega.mcdonald_omega: psych::omega(x,
# nfactors = 1)$omega.tot on the very resamples our bootstrap draws (omega_boot_indices.csv, written
# by tests/analysis/r/make_omega_boot_indices.py), coherence and collective action of wave w1 of
# tests/data/analysis/nomad_wide.csv (complete cases, CA2 reversed as 6 - x), then the percentile
# interval as quantile(type = 7). A resample's omega outside 0-1 is left out, as ours is.
#
#   Rscript tests/analysis/r/omega_boot_golden.R      (from the repository root)
suppressPackageStartupMessages({library(psych); library(GPArotation)})
wide <- read.csv("tests/data/analysis/nomad_wide.csv", na.strings = c("", "NA"), stringsAsFactors = FALSE)
wide$nomad_ca2 <- 6 - wide$nomad_ca2
idx <- read.csv("tests/analysis/r/omega_boot_indices.csv")
items <- list(coherence = paste0("nomad_co", 1:4), collective_action = paste0("nomad_ca", 1:7))
rows <- list()
for (scale in names(items)) {
  x <- na.omit(wide[wide$wave == "w1", items[[scale]]])
  part <- idx[idx$scale == scale, ]
  omegas <- sapply(split(part$row, part$sample), function(r) {
    o <- suppressWarnings(suppressMessages(omega(x[r + 1, ], nfactors = 1, plot = FALSE)))
    if (o$omega.tot < 0 || o$omega.tot > 1) NA else o$omega.tot
  })
  q <- quantile(omegas, c(0.025, 0.975), type = 7, na.rm = TRUE)
  rows[[length(rows) + 1]] <- data.frame(scale = scale, n = nrow(x), samples = length(omegas),
    left_out = sum(is.na(omegas)), ci_low = sprintf("%.17g", q[1]), ci_high = sprintf("%.17g", q[2]))
}
con <- file("tests/analysis/r/omega_boot_golden.csv", "w")
writeLines(c(
  "# Produced by: Rscript tests/analysis/r/omega_boot_golden.R  (from the repository root)",
  sprintf("# %s; psych %s; GPArotation %s", R.version.string, packageVersion("psych"), packageVersion("GPArotation")),
  "# percentile interval (type 7) of psych::omega(x[resample, ], nfactors = 1)$omega.tot"), con)
write.csv(do.call(rbind, rows), con, row.names = FALSE, quote = FALSE)
close(con)
