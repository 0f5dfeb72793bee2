# Golden numbers for analysis/its.py from the Lopez Bernal, Cummins & Gasparrini (2017) ITS tutorial:
# the models of its published R code (Rcode.R of github.com/gasparrini/2017_lopezbernal_IJE_codedata)
# on its published data (tests/data/reference/sicily_lopez_bernal_2017.csv), written to
# sicily_golden.csv.
#
#   Rscript tests/analysis/r/sicily_golden.R      (from the repository root; needs r-cran-epi)
#
# tsModel is not in Debian: its harmonic(x, nfreq, period) is written out below as
# cbind(sin(2*pi*k*x/period), cos(2*pi*k*x/period)) for k = 1..nfreq (tsModel's definition).
# Models (all with offset(log(stdpop)), the tutorial's main offset):
#   m1  poisson,       smokban + time                                  (tutorial model1)
#   m2  quasipoisson,  smokban + time                                  (tutorial model2)
#   m3  quasipoisson,  smokban + time + harmonic(month, 2, 12)         (tutorial model3, the main model)
#   m4  quasipoisson,  smokban + time + I(time - 36):smokban + harmonic (tutorial model4, level + slope)
#   m5  quasipoisson,  time + I(time - 36):smokban + harmonic          (slope only; not in the
#       tutorial, R's glm on the same design)
# For each coefficient: the estimate (log scale), its standard error, the normal-quantile interval of
# Epi::ci.exp (the tutorial's intervals, = exp(confint.default)) and the t-quantile interval
# exp(b +- qt(0.975, df.residual) * se) with the two p-values; the dispersion of summary.glm.
suppressPackageStartupMessages(library(Epi))
data <- read.csv("tests/data/reference/sicily_lopez_bernal_2017.csv")
harmonic <- function(x, nfreq, period) {
  k <- seq_len(nfreq)
  m <- outer(2 * pi * x / period, k)
  out <- cbind(sin(m), cos(m))
  colnames(out) <- c(paste0("sin", k), paste0("cos", k))
  out
}
H <- harmonic(data$month, 2, 12)
# The tutorial's models with glm's convergence tolerance tightened from 1e-8 to 1e-12, so that the
# golden numbers are the converged estimates. Against the defaults (checked when this script was
# written) the rate ratios move by < 1e-11, the intervals by < 4e-8 and the standard errors by
# < 1e-6, relative: far inside the 1e-4 the tutorial's printed numbers are compared at.
fit <- function(f, family) glm(f, family = family, data = data,
                               control = glm.control(epsilon = 1e-12, maxit = 100))
models <- list(
  m1 = fit(aces ~ offset(log(stdpop)) + smokban + time, poisson),
  m2 = fit(aces ~ offset(log(stdpop)) + smokban + time, quasipoisson),
  m3 = fit(aces ~ offset(log(stdpop)) + smokban + time + H, quasipoisson),
  m4 = fit(aces ~ offset(log(stdpop)) + smokban + time + I(time - 36):smokban + H, quasipoisson),
  m5 = fit(aces ~ offset(log(stdpop)) + time + I(time - 36):smokban + H, quasipoisson)
)
rows <- list()
for (name in names(models)) {
  m <- models[[name]]
  b <- coef(m); se <- sqrt(diag(vcov(m))); df <- m$df.residual
  ci <- ci.exp(m)  # exp(b -+ qnorm(0.975) * se)
  qt975 <- qt(0.975, df)
  rows[[length(rows) + 1]] <- data.frame(
    model = name, term = names(b), estimate = b, std_error = se,
    ratio = ci[, 1], ci_low_normal = ci[, 2], ci_high_normal = ci[, 3],
    ci_low_t = exp(b - qt975 * se), ci_high_t = exp(b + qt975 * se),
    p_normal = 2 * pnorm(-abs(b / se)), p_t = 2 * pt(-abs(b / se), df),
    dispersion = summary(m)$dispersion, df_residual = df)
}
out <- do.call(rbind, rows)
path <- "tests/analysis/r/sicily_golden.csv"
writeLines(c(
  "# Written by: Rscript tests/analysis/r/sicily_golden.R (the tutorial's models; see the script)",
  paste0("# ", R.version.string, "; Epi ", packageVersion("Epi"), "; harmonic() written out (tsModel's definition)"),
  "# Input: tests/data/reference/sicily_lopez_bernal_2017.csv. 17 significant digits."), path)
suppressWarnings(write.table(format(out, digits = 17), path, sep = ",", row.names = FALSE,
                             quote = TRUE, append = TRUE))
