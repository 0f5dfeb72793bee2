# Golden numbers for analysis.group_comparison: NoMAD scale scores by staff group per wave of the
# synthetic fixture (scale scores from scores_golden.csv, staff groups from nomad_wide.csv).
# Groups with fewer than 5 scores and respondents without a staff group are dropped first, as the
# Python code does with min_cell_size = 5.
#
# Run from the repository root:
#   Rscript tests/analysis/r/group_comparison_golden.R
# It writes tests/analysis/r/group_comparison_golden.csv (comment lines start with '#').
#
# oneway.test(score ~ group) (Welch); kruskal.test(score ~ group);
# pairwise.t.test(score, group, pool.sd = FALSE, p.adjust.method = "holm") and, for the
# unadjusted pairwise p, p.adjust.method = "none".
scores <- read.csv("tests/analysis/r/scores_golden.csv", comment.char = "#", stringsAsFactors = FALSE)
wide <- read.csv("tests/data/analysis/nomad_wide.csv", na.strings = c("", "NA"), stringsAsFactors = FALSE)
scores <- merge(scores, wide[, c("respondent_id", "wave", "staff_group")], by = c("respondent_id", "wave"))
scores <- scores[!is.na(scores$score) & !is.na(scores$staff_group), ]
f <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(wave, scale, method, a, b, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(wave = wave, scale = scale, method = method,
                                          group_a = a, group_b = b, term = term, value = f(value))
}
for (wave in c("w1", "w2")) for (scale in unique(scores$scale)) {
  d <- scores[scores$wave == wave & scores$scale == scale, ]
  sizes <- table(d$staff_group)
  d <- d[d$staff_group %in% names(sizes)[sizes >= 5], ]
  d$staff_group <- factor(d$staff_group, levels = sort(unique(d$staff_group)))
  o <- oneway.test(score ~ staff_group, data = d)
  add(wave, scale, "welch_anova", "", "", "statistic", o$statistic)
  add(wave, scale, "welch_anova", "", "", "df", o$parameter[1])
  add(wave, scale, "welch_anova", "", "", "df2", o$parameter[2])
  add(wave, scale, "welch_anova", "", "", "p_value", o$p.value)
  k <- kruskal.test(score ~ staff_group, data = d)
  add(wave, scale, "kruskal", "", "", "statistic", k$statistic)
  add(wave, scale, "kruskal", "", "", "p_value", k$p.value)
  for (adj in c("holm", "none")) {
    pw <- pairwise.t.test(d$score, d$staff_group, pool.sd = FALSE, p.adjust.method = adj)$p.value
    for (i in rownames(pw)) for (j in colnames(pw)) if (!is.na(pw[i, j]))
      add(wave, scale, "pairwise", j, i, if (adj == "holm") "p_adjusted" else "p_value", pw[i, j])
  }
}
out <- do.call(rbind, rows)
path <- "tests/analysis/r/group_comparison_golden.csv"
writeLines(c(
  "# Produced by: Rscript tests/analysis/r/group_comparison_golden.R  (from the repository root)",
  sprintf("# %s; base R stats (oneway.test, kruskal.test, pairwise.t.test, p.adjust)", R.version.string),
  "# input: tests/analysis/r/scores_golden.csv + staff_group of tests/data/analysis/nomad_wide.csv; groups n < 5 dropped"
), path)
write.table(out, path, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE)
