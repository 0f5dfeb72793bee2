# Golden numbers for analysis.scoring and analysis.summaries, computed independently in base R
# from tests/data/analysis/nomad_wide.csv:
#   - per-respondent scale scores: CA2 reversed as 6 - x, mean of answered items, NA when fewer
#     than min_answered items are answered (3 of 4, 3 of 4, 5 of 7, 4 of 5);
#   - per wave × scale (overall, by staff_group, by organisation): n, mean, sd, median and
#     quartiles by quantile(type = 7), and the 95% CI of the mean from t.test(x)$conf.int;
#   - the same for the general items G1–G3.
#
# Run from the repository root:
#   Rscript tests/analysis/r/summaries_golden.R
# It writes tests/analysis/r/scores_golden.csv, score_summaries_golden.csv and
# item_summaries_golden.csv (comment lines start with '#'; an empty group is a missing value).
wide <- read.csv("tests/data/analysis/nomad_wide.csv", na.strings = c("", "NA"),
                 stringsAsFactors = FALSE)
scales <- list(
  coherence = list(items = paste0("nomad_co", 1:4), min = 3),
  cognitive_participation = list(items = paste0("nomad_cp", 1:4), min = 3),
  collective_action = list(items = paste0("nomad_ca", 1:7), min = 5),
  reflexive_monitoring = list(items = paste0("nomad_rm", 1:5), min = 4)
)
wide$nomad_ca2 <- 6 - wide$nomad_ca2
f <- function(x) sprintf("%.17g", x)
header <- function(path) writeLines(c(
  "# Produced by: Rscript tests/analysis/r/summaries_golden.R  (from the repository root)",
  sprintf("# %s; base R only (mean, sd, quantile type 7, t.test)", R.version.string)
), path)
write_csv <- function(out, path) {
  header(path)
  suppressWarnings(write.table(out, path, sep = ",", row.names = FALSE, quote = FALSE,
                               append = TRUE, na = ""))
}
describe <- function(x) {
  x <- x[!is.na(x)]
  q <- quantile(x, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
  ci <- t.test(x)$conf.int
  data.frame(n = length(x), mean = f(mean(x)), sd = f(sd(x)), median = f(q[2]), q1 = f(q[1]),
             q3 = f(q[3]), ci_low = f(ci[1]), ci_high = f(ci[2]))
}

scores <- list()
for (scale in names(scales)) {
  s <- scales[[scale]]
  m <- as.matrix(wide[, s$items])
  n_answered <- rowSums(!is.na(m))
  score <- ifelse(n_answered >= s$min, rowMeans(m, na.rm = TRUE), NA)
  scores[[scale]] <- data.frame(respondent_id = wide$respondent_id, wave = wide$wave,
                                organisation = wide$organisation,
                                staff_group = wide$staff_group, scale = scale,
                                n_answered = n_answered, score = score)
}
scores <- do.call(rbind, scores)
write_csv(transform(scores[, c("respondent_id", "wave", "scale", "n_answered", "score")],
                    score = ifelse(is.na(score), NA, f(score))),
          "tests/analysis/r/scores_golden.csv")

rows <- list()
for (wave in c("w1", "w2")) for (scale in names(scales)) {
  d <- scores[scores$wave == wave & scores$scale == scale, ]
  rows[[length(rows) + 1]] <- cbind(data.frame(wave = wave, scale = scale, group_by = "all",
                                               group = "all"), describe(d$score))
  for (by in c("staff_group", "organisation")) {
    g <- d[[by]]
    for (level in c(sort(unique(g[!is.na(g)])), if (anyNA(g)) NA)) {
      x <- if (is.na(level)) d$score[is.na(g)] else d$score[!is.na(g) & g == level]
      if (sum(!is.na(x)) < 2) next   # t.test needs two values; our n < 2 rows are unit-tested
      rows[[length(rows) + 1]] <- cbind(data.frame(wave = wave, scale = scale, group_by = by,
                                                   group = level), describe(x))
    }
  }
}
write_csv(do.call(rbind, rows), "tests/analysis/r/score_summaries_golden.csv")

rows <- list()
for (wave in c("w1", "w2")) for (item in c("g1", "g2", "g3")) {
  x <- wide[wide$wave == wave, paste0("nomad_", item)]
  rows[[length(rows) + 1]] <- cbind(data.frame(wave = wave, item = item), describe(x))
}
write_csv(do.call(rbind, rows), "tests/analysis/r/item_summaries_golden.csv")
