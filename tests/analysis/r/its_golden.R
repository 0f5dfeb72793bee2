# Golden numbers for analysis/its.py (segmented regression), written to its_golden.csv.
#
#   Rscript tests/analysis/r/its_golden.R
#
# Input: tests/data/analysis/its_series.csv (written by tests/data/analysis/make_its_series.py).
# The design matrix is built here by hand: time = periods since the first, level = 1 from the first
# period t0 at/after the intervention, slope = (time - t0) * level, Fourier terms sin/cos(2*pi*k*m/P),
# month/quarter indicators. analysis.its.design_matrix codes the slope as (time - t0 + 1) * level
# (periods since the interruption, 1 in the first post period, as the Lopez Bernal tutorial's
# I(time - 36):smokban): the same model, with every coefficient but `level` the same. R's `level`
# here is the change in the first post period (our effect_0); our `level` (the change at the
# interruption) is `level - slope` here, written as the rows `level_at_interruption`.
# Models: lm + sandwich::NeweyWest(lag = L, prewhite = FALSE, adjust = TRUE) (t with n - k df, as
# lmtest::coeftest); glm(poisson / quasipoisson, offset = log(denominator)); MASS::glm.nb. Two
# controlled series: lm of the difference series - control, and glm with offset = log(control).
# Effect rows: log rate ratio (or difference for lm) level + h * slope with its delta-method SE.
suppressPackageStartupMessages({library(MASS); library(sandwich); library(lmtest)})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
dat <- read.csv(file.path(here, "..", "..", "data", "analysis", "its_series.csv"))
dat$period <- as.Date(dat$period)

design <- function(d, intervention, freq, season, order) {
  idx <- if (freq == "month") as.integer(format(d$period, "%Y")) * 12 + as.integer(format(d$period, "%m")) - 1
         else (as.integer(format(d$period, "%Y")) * 12 + as.integer(format(d$period, "%m")) - 1) %/% 3
  iv <- as.Date(intervention)
  i0 <- if (freq == "month") as.integer(format(iv, "%Y")) * 12 + as.integer(format(iv, "%m")) - 1
        else (as.integer(format(iv, "%Y")) * 12 + as.integer(format(iv, "%m")) - 1) %/% 3
  time <- idx - idx[1]; t0 <- i0 - idx[1]
  level <- as.numeric(time >= t0)
  X <- data.frame(time = time, level = level, slope = (time - t0) * level)
  P <- if (freq == "month") 12 else 4
  m <- as.integer(format(d$period, "%m")); if (freq == "quarter") m <- (m - 1) %/% 3 + 1
  if (season == "fourier") for (k in seq_len(order)) {
    X[[paste0("sin", k)]] <- sin(2 * pi * k * m / P); X[[paste0("cos", k)]] <- cos(2 * pi * k * m / P)
  }
  if (season == "month") for (j in 2:P) X[[paste0("season", j)]] <- as.numeric(m == j)
  X
}

rows <- list()
emit <- function(case, term, est, se, p) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, term = term, estimate = est, std_error = se, p_value = p)
}
run <- function(case, series, family, intervention, freq, season, order = 2, lag = NA, h = 12, offset = TRUE,
                control = NULL) {
  d <- dat[dat$series == series, ]
  X <- design(d, intervention, freq, season, order)
  df <- cbind(y = d$value, X)
  f <- as.formula(paste("y ~", paste(names(X), collapse = " + ")))
  off <- if (offset && !all(is.na(d$denominator))) log(d$denominator) else NULL
  if (!is.null(control)) {  # controlled ITS: the same periods of the control series
    cv <- dat$value[dat$series == control][match(d$period, dat$period[dat$series == control])]
    if (family == "gaussian") df$y <- d$value - cv else off <- log(cv)
  }
  if (family == "gaussian") {
    fit <- lm(f, data = df)
    V <- NeweyWest(fit, lag = lag, prewhite = FALSE, adjust = TRUE)
    dfres <- fit$df.residual; pfun <- function(z) 2 * pt(-abs(z), dfres)
  } else if (family == "negbin") {
    fit <- if (is.null(off)) glm.nb(f, data = df, control = glm.control(epsilon = 1e-12, maxit = 100))
           else { df$off <- off; glm.nb(update(f, . ~ . + offset(off)), data = df, control = glm.control(epsilon = 1e-12, maxit = 100)) }
    V <- vcov(fit); pfun <- function(z) 2 * pnorm(-abs(z))
    emit(case, "theta", fit$theta, fit$SE.theta, NA)
  } else {
    fam <- if (family == "poisson") poisson() else quasipoisson()
    fit <- glm(f, family = fam, data = df, offset = off, control = glm.control(epsilon = 1e-12, maxit = 100))
    V <- vcov(fit)
    if (family == "quasipoisson") {
      dfres <- fit$df.residual; pfun <- function(z) 2 * pt(-abs(z), dfres)
      emit(case, "dispersion", summary(fit)$dispersion, NA, NA)
    } else pfun <- function(z) 2 * pnorm(-abs(z))
  }
  b <- coef(fit); se <- sqrt(diag(V))
  nm <- names(b); nm[nm == "(Intercept)"] <- "intercept"
  for (j in seq_along(b)) emit(case, paste0("coef:", nm[j]), b[[j]], se[[j]], pfun(b[[j]] / se[[j]]))
  L <- setNames(rep(0, length(b)), names(b)); L["level"] <- 1; L["slope"] <- h
  est <- sum(L * b); s <- sqrt(drop(t(L) %*% V %*% L))
  emit(case, paste0("effect_", h, "_linear"), est, s, pfun(est / s))
  L <- setNames(rep(0, length(b)), names(b)); L["level"] <- 1; L["slope"] <- -1
  est <- sum(L * b); s <- sqrt(drop(t(L) %*% V %*% L))
  emit(case, "level_at_interruption", est, s, pfun(est / s))
}

run("pois_fourier", "counts_monthly", "poisson", "2017-07-01", "month", "fourier", 2)
run("qpois_fourier", "counts_monthly", "quasipoisson", "2017-07-01", "month", "fourier", 2)
run("nb_fourier", "counts_monthly", "negbin", "2017-07-01", "month", "fourier", 2)
run("pois_month", "counts_monthly", "poisson", "2017-07-01", "month", "month")
run("nb_month", "counts_monthly", "negbin", "2017-07-01", "month", "month")
run("gauss_fourier_lag3", "gauss_monthly", "gaussian", "2018-02-01", "month", "fourier", 1, lag = 3)
run("gauss_none_lag2", "gauss_monthly", "gaussian", "2018-02-01", "month", "none", lag = 2)
run("gauss_month_lag4", "gauss_monthly", "gaussian", "2018-02-01", "month", "month", lag = 4)
run("pois_quarterly", "counts_quarterly", "poisson", "2016-01-01", "quarter", "none", h = 4)
run("qpois_quarterly_fourier", "counts_quarterly", "quasipoisson", "2016-01-01", "quarter", "fourier", 1, h = 4)
# Controlled ITS: the difference from the control (lm + Newey-West), the control as offset (glm)
run("gauss_control_difference", "gauss_monthly", "gaussian", "2018-02-01", "month", "fourier", 1, lag = 2,
    control = "gauss_monthly_control")
run("qpois_control_offset", "counts_monthly", "quasipoisson", "2017-07-01", "month", "fourier", 2,
    offset = FALSE, control = "counts_monthly_control")

out <- do.call(rbind, rows)
path <- file.path(here, "its_golden.csv")
con <- file(path, "w")
writeLines(c(
  "# Written by: Rscript tests/analysis/r/its_golden.R",
  paste0("# ", R.version.string, "; MASS ", packageVersion("MASS"), ", sandwich ",
         packageVersion("sandwich"), ", lmtest ", packageVersion("lmtest")),
  "# Input: tests/data/analysis/its_series.csv. 17 significant digits."), con)
write.csv(format(out, digits = 17), con, row.names = FALSE, quote = TRUE)
close(con)
