# Golden numbers for analysis/agreement.py, analysis/kappa.py and analysis/agreement_bootstrap.py:
# Krippendorff's alpha at every level of measurement with its bootstrap interval, Cohen's kappa
# (unweighted, linear, quadratic, custom weights) with the Fleiss-Cohen-Everitt standard error,
# Fleiss' kappa and the Brennan-Prediger kappa, on published example data.
#
#   Rscript tests/analysis/r/agreement_levels_golden.R    (from the repository root)
#
# irr is not in Debian, so its formulas are written out below (marked "as irr"): kripp.alpha's
# coincidence matrix and difference functions (Krippendorff 2011), kappam.fleiss (Fleiss 1971).
# psych 2.2.9's cohen.kappa gives the weighted kappa itself, but its weighted variance changes with
# the scale of the weights, so the standard error is the Fleiss, Cohen & Everitt (1969) formula
# written out (as SAS PROC FREQ and statsmodels). The Brennan-Prediger kappa is Gwet's (2014)
# formula with missing values (as irrCAC::bp.coeff.raw). The bootstrap is the Hayes & Krippendorff
# (2007) algorithm (KALPHA; Stata kalpha) written out with 200000 replicates: the Python test
# compares its own replicates with these within Monte Carlo error.
suppressPackageStartupMessages(library(psych))
out_file <- "tests/analysis/r/agreement_levels_golden.csv"
set.seed(20070401)

# -- data -------------------------------------------------------------------------------------------
# Krippendorff (2011), section C: 4 observers (rows) x 12 units, NA = not coded.
kripp_c <- rbind(c(1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA),
                 c(1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3),
                 c(NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA),
                 c(1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA))
# Krippendorff (2004), section 11.3.3: 3 observers x 15 units (also the krippendorff package's tests).
kripp_15 <- rbind(c(NA, NA, NA, NA, NA, 3, 4, 1, 2, 1, 1, 3, 3, NA, 3),
                  c(1, NA, 2, 1, 3, 3, 4, 3, NA, NA, NA, NA, NA, NA, NA),
                  c(NA, NA, 2, 1, 3, 4, 4, NA, 2, 1, 1, 3, 3, NA, 4))
# Hayes & Krippendorff (2007), table 1: 40 units x 5 observers (ordinal), transposed to observers x units.
hk <- matrix(c(
  1,1,1,2,NA,2, 2,1,1,0,1,NA, 3,2,3,3,3,NA, 4,NA,0,0,NA,0, 5,0,0,0,NA,0, 6,0,0,0,NA,0,
  7,1,0,2,NA,1, 8,1,NA,2,0,NA, 9,2,2,2,NA,2, 10,2,1,1,1,NA, 11,NA,1,0,0,NA, 12,0,0,0,0,NA,
  13,1,2,2,2,NA, 14,3,3,2,2,3, 15,1,1,1,NA,1, 16,1,1,1,NA,1, 17,2,1,2,NA,2, 18,1,2,3,3,NA,
  19,1,1,0,1,NA, 20,0,0,0,NA,0, 21,0,0,1,1,NA, 22,0,0,NA,0,0, 23,2,3,3,3,NA, 24,0,0,0,0,NA,
  25,1,2,NA,2,2, 26,0,1,1,1,NA, 27,0,0,0,1,0, 28,1,2,1,2,NA, 29,1,1,2,2,NA, 30,1,1,2,NA,2,
  31,1,1,0,NA,0, 32,2,1,2,1,NA, 33,2,2,NA,2,2, 34,3,2,2,2,NA, 35,2,2,2,NA,2, 36,2,2,3,NA,2,
  37,2,2,2,NA,2, 38,2,2,NA,1,2, 39,2,2,2,2,NA, 40,1,1,1,NA,1), ncol = 6, byrow = TRUE)
hk <- t(hk[, 2:6])
# Cohen (1968): proportions of 200 subjects; disagreement weights 0, 1, 3, 6 (psych's example).
cohen1968 <- 200 * matrix(c(0.44, 0.07, 0.09, 0.05, 0.20, 0.05, 0.01, 0.03, 0.06), 3, byrow = TRUE)
cohen_w <- matrix(c(0, 1, 3, 1, 0, 6, 3, 6, 0), 3, byrow = TRUE)
# Fleiss, Cohen & Everitt (1969), table 1.
fleiss1969 <- matrix(c(106, 10, 4, 22, 28, 10, 2, 12, 6), 3, byrow = TRUE)
# statsmodels' test table10 (its SAS PROC FREQ output: weighted kappa 0.4701, ASE 0.1457).
table10 <- matrix(c(0, 4, 1, 0, 8, 0, 0, 1, 5), 3, byrow = TRUE)
# Gwet (2014): cont3x3abstractors (irrCAC).
abstractors <- matrix(c(13, 0, 0, 0, 20, 7, 0, 4, 56), 3, byrow = TRUE)
# Fleiss (1971): 30 patients x 6 psychiatrists, diagnoses 1-5 (irr's `diagnoses`).
diagnoses <- matrix(c(
  4,4,4,4,4,4, 2,2,2,5,5,5, 2,3,3,3,3,5, 5,5,5,5,5,5, 2,2,2,4,4,4, 1,1,3,3,3,3, 3,3,3,3,5,5,
  1,1,3,3,3,4, 1,1,4,4,4,4, 5,5,5,5,5,5, 1,4,4,4,4,4, 1,2,4,4,4,4, 2,2,2,3,3,3, 1,4,4,4,4,4,
  2,2,4,4,4,5, 3,3,3,3,3,5, 1,1,1,4,5,5, 1,1,1,1,1,2, 2,2,4,4,4,4, 1,3,3,5,5,5, 5,5,5,5,5,5,
  2,4,4,4,4,4, 2,2,4,5,5,5, 1,1,4,4,4,4, 1,4,4,4,4,5, 2,2,2,2,2,4, 1,1,1,1,5,5, 2,2,4,4,4,4,
  1,3,3,3,3,3, 5,5,5,5,5,5), ncol = 6, byrow = TRUE)

# -- Krippendorff's alpha, as irr::kripp.alpha (Krippendorff 2011) ------------------------------------
coincidences <- function(x) {  # x: observers x units
  lev <- sort(unique(x[!is.na(x)]))
  o <- matrix(0, length(lev), length(lev))
  for (u in seq_len(ncol(x))) {
    v <- x[!is.na(x[, u]), u]
    m <- length(v)
    if (m < 2) next
    for (i in seq_len(m)) for (j in seq_len(m)) if (i != j) {
      a <- match(v[i], lev); b <- match(v[j], lev)
      o[a, b] <- o[a, b] + 1 / (m - 1)
    }
  }
  list(o = o, values = lev)
}
deltas <- function(o, values, level) {
  k <- length(values); nc <- rowSums(o); d <- matrix(0, k, k)
  for (c in seq_len(k)) for (g in seq_len(k)) {
    d[c, g] <- if (c == g) 0 else switch(level,
      nominal = as.numeric(c != g),
      ordinal = (sum(nc[min(c, g):max(c, g)]) - (nc[c] + nc[g]) / 2)^2,
      interval = (values[c] - values[g])^2,
      ratio = ((values[c] - values[g]) / (values[c] + values[g]))^2)
  }
  d
}
alpha_of <- function(o, d) {
  n <- sum(o); nc <- rowSums(o)
  1 - (n - 1) * sum(o * d) / sum(outer(nc, nc) * d)
}
# -- the Hayes & Krippendorff (2007) bootstrap (KALPHA), written out -----------------------------------
alpha_boot <- function(o, d, coders, reps = 200000, conf = 0.95) {
  n <- sum(o); nc <- rowSums(o); k <- nrow(o)
  de <- sum(outer(nc, nc) * d) / (n * (n - 1))
  M <- min(25 * sum(o > 0), round(n * (coders - 1) / 2))
  lower <- which(lower.tri(o, diag = TRUE))
  p <- ifelse(row(o)[lower] == col(o)[lower], o[lower], 2 * o[lower]) / n
  counts <- rmultinom(reps, M, p)              # pair types x replicates
  a <- 1 - colSums(counts * d[lower]) / (M * de)
  a[a < -1] <- -1
  pdiag <- diag(o) / n
  ones <- which(a == 1)
  if (length(ones)) {
    if (sum(pdiag > 0) == 1) a[ones] <- 0
    else a[ones[seq_len(min(length(ones), round(reps * sum(pdiag^M))))]] <- 0
  }
  a <- sort(a); g <- 1 - conf
  c(a[max(floor(g / 2 * reps), 1)], a[min(floor((1 - g / 2) * reps) + 1, reps)])
}

rows <- list()
emit <- function(case, measure, metric, estimate, std_error = NA, ci_low = NA, ci_high = NA) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, measure = measure, metric = metric,
    estimate = estimate, std_error = std_error, ci_low = ci_low, ci_high = ci_high)
}
for (case in c("kripp_c", "kripp_15", "hk")) {
  x <- get(case)
  co <- coincidences(x)
  for (level in c("nominal", "ordinal", "interval", "ratio")) {
    d <- deltas(co$o, co$values, level)
    ci <- alpha_boot(co$o, d, coders = sum(rowSums(!is.na(x)) > 0))
    emit(case, "krippendorff_alpha", level, alpha_of(co$o, d), NA, ci[1], ci[2])
  }
}

# -- Cohen's kappa: psych's estimate, the Fleiss-Cohen-Everitt (1969) SE written out ----------------
fce <- function(tab, w) {  # w: agreement weights (1 on the diagonal)
  p <- tab / sum(tab); r <- rowSums(p); cc <- colSums(p)
  po <- sum(w * p); pe <- sum(w * outer(r, cc)); k <- (po - pe) / (1 - pe)
  wi <- as.vector(w %*% cc); wj <- as.vector(r %*% w)
  v <- (sum(p * (w - outer(wi, wj, "+") * (1 - k))^2) - (k - pe * (1 - k))^2) / (sum(tab) * (1 - pe)^2)
  c(k, sqrt(v))
}
kappa_rows <- function(case, tab, scores = seq_len(nrow(tab)), custom = NULL) {
  k <- nrow(tab); dd <- abs(outer(scores, scores, "-"))
  weights <- list(unweighted = 1 - (dd > 0), linear = 1 - dd / max(dd), quadratic = 1 - dd^2 / max(dd)^2)
  if (!is.null(custom)) weights$custom <- 1 - custom / max(custom)
  for (metric in names(weights)) {
    r <- fce(tab, weights[[metric]])
    ps <- if (metric == "unweighted") cohen.kappa(tab)$kappa
          else cohen.kappa(tab, w = 1 - weights[[metric]])$weighted.kappa
    stopifnot(abs(ps - r[1]) < 1e-12)  # psych's kappa and the formula agree
    z <- qnorm(0.975)
    emit(case, "cohen_kappa", metric, r[1], r[2], max(-1, r[1] - z * r[2]), min(1, r[1] + z * r[2]))
  }
}
kappa_rows("cohen1968", cohen1968, custom = cohen_w)
kappa_rows("fleiss1969", fleiss1969)
kappa_rows("table10", table10)

# -- Fleiss' kappa, as irr::kappam.fleiss -------------------------------------------------------------
fleiss <- function(ratings) {  # subjects x raters
  lev <- sort(unique(as.vector(ratings))); n <- nrow(ratings); m <- ncol(ratings)
  counts <- t(apply(ratings, 1, function(v) table(factor(v, levels = lev))))
  pj <- colSums(counts) / (n * m)
  pi <- (rowSums(counts^2) - m) / (m * (m - 1))
  (mean(pi) - sum(pj^2)) / (1 - sum(pj^2))
}
emit("diagnoses", "fleiss_kappa", "nominal", fleiss(diagnoses))
emit("kripp_c", "fleiss_kappa", "nominal", fleiss(t(kripp_c[, colSums(is.na(kripp_c)) == 0])))

# -- Brennan-Prediger kappa with missing values (Gwet 2014), as irrCAC::bp.coeff.raw -------------------
bp <- function(x, q) {  # observers x units
  pa <- c()
  for (u in seq_len(ncol(x))) {
    v <- x[!is.na(x[, u]), u]; m <- length(v)
    if (m < 2) next
    t <- table(v); pa <- c(pa, sum(t * (t - 1)) / (m * (m - 1)))
  }
  (mean(pa) - 1 / q) / (1 - 1 / q)
}
emit("kripp_c", "brennan_prediger_kappa", "nominal", bp(kripp_c, 5))
ab <- rbind(c(rep(1, 13), rep(2, 20), rep(2, 7), rep(3, 4), rep(3, 56)),
            c(rep(1, 13), rep(2, 20), rep(3, 7), rep(2, 4), rep(3, 56)))
stopifnot(all(table(ab[1, ], ab[2, ]) == abstractors))
emit("abstractors", "brennan_prediger_kappa", "nominal", bp(ab, 3))

out <- do.call(rbind, rows)
for (col in c("estimate", "std_error", "ci_low", "ci_high")) out[[col]] <- sprintf("%.17g", out[[col]])
writeLines(c(
  "# Written by: Rscript tests/analysis/r/agreement_levels_golden.R (formulas written out; see the script)",
  paste0("# ", R.version.string, "; psych ", packageVersion("psych"), "; set.seed(20070401), 200000 bootstrap replicates"),
  "# Data: Krippendorff 2011 (C), Krippendorff 2004 (3 x 15), Hayes & Krippendorff 2007, Cohen 1968,",
  "# Fleiss, Cohen & Everitt 1969, statsmodels' table10, Gwet 2014, Fleiss 1971. 17 significant digits."), out_file)
suppressWarnings(write.table(out, out_file, sep = ",", row.names = FALSE, quote = FALSE, append = TRUE))
