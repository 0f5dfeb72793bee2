# Golden numbers for analysis.reliability.item_rest_statistics: psych::alpha's item.stats$r.drop
# (item-rest correlation) and alpha.drop$raw_alpha (alpha if item deleted), per wave, for the four
# NoMAD scales of tests/data/analysis/nomad_wide.csv, on complete cases; CA2 reversed by `keys=`.
#
# Run from the repository root:
#   Rscript tests/analysis/r/item_rest_golden.R > tests/analysis/r/item_rest_golden.csv
suppressPackageStartupMessages(library(psych))
wide <- read.csv("tests/data/analysis/nomad_wide.csv", na.strings = c("", "NA"),
                 stringsAsFactors = FALSE)
scales <- list(coherence = paste0("nomad_co", 1:4),
               cognitive_participation = paste0("nomad_cp", 1:4),
               collective_action = paste0("nomad_ca", 1:7),
               reflexive_monitoring = paste0("nomad_rm", 1:5))
cat("# R", paste(R.version$major, R.version$minor, sep = "."), "psych",
    as.character(packageVersion("psych")), "\n")
cat("wave,scale,item,n,r_item_rest,alpha_if_deleted\n")
for (wave in c("w1", "w2")) {
  d <- wide[wide$wave == wave, ]
  for (scale in names(scales)) {
    items <- scales[[scale]]
    x <- na.omit(d[, items])
    keys <- ifelse(items == "nomad_ca2", -1, 1)
    a <- alpha(x, keys = keys, warnings = FALSE, check.keys = FALSE)
    for (j in seq_along(items)) {
      cat(sprintf("%s,%s,%s,%d,%.15f,%.15f\n", wave, scale, sub("nomad_", "", items[j]), nrow(x),
                  a$item.stats$r.drop[j], a$alpha.drop$raw_alpha[j]))
    }
  }
}
