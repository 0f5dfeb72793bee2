# Independent reference for tests/instruments/test_own_instrument.py: the worked example of
# docs/instruments.md scored and checked in R, straight from the raw export (R does its own label
# mapping, reversal, minimum-answered rule and proration).
# Run from the repository root:
#   Rscript tests/instruments/r/teamklimat.R > tests/instruments/r/teamklimat_expected.csv
suppressMessages(library(psych))
raw <- read.csv2("tests/data/instruments/teamklimat_T1.csv", fileEncoding = "UTF-8-BOM",
                 colClasses = "character")
codes <- c("aldrig" = 1, "sällan" = 2, "någon gång" = 2, "ofta" = 3, "alltid" = 4)
items <- sapply(raw[paste0("TK", 1:6)], function(x) unname(codes[tolower(trimws(x))]))
items[, "TK4"] <- 5 - items[, "TK4"]
score <- function(x, need, method) {
  n <- rowSums(!is.na(x))
  m <- rowMeans(x, na.rm = TRUE)
  s <- if (method == "sum") m * ncol(x) else m
  ifelse(n >= need, s, NA)
}
scales <- list(collaboration = list(items = paste0("TK", 1:4), need = 3, method = "mean"),
               learning = list(items = c("TK5", "TK6"), need = 2, method = "mean"),
               total = list(items = paste0("TK", 1:6), need = 5, method = "sum"))
cat("# R", paste(R.version$major, R.version$minor, sep = "."), "psych", as.character(packageVersion("psych")), "\n")
cat("scale,n_alpha,alpha,ci_low,ci_high,n_score,mean,sd\n")
for (name in names(scales)) {
  sc <- scales[[name]]
  x <- items[, sc$items, drop = FALSE]
  complete <- x[complete.cases(x), , drop = FALSE]
  a <- psych::alpha(complete, warnings = FALSE)$total$raw_alpha
  ci <- psych::alpha.ci(a, nrow(complete), ncol(complete), p.val = 0.05)
  s <- score(x, sc$need, sc$method)
  cat(sprintf("%s,%d,%.15f,%.15f,%.15f,%d,%.15f,%.15f\n", name, nrow(complete), a, ci$lower.ci,
              ci$upper.ci, sum(!is.na(s)), mean(s, na.rm = TRUE), sd(s, na.rm = TRUE)))
}
