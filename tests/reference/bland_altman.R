# Expected Bland-Altman values for tests/stats/test_bland_altman.py; the trend (proportional bias)
# is lm(d ~ mean): slope, intercept, confint of the slope, p of the slope.
# CIs of the limits three ways: loa_low / loa_high with SE sqrt(3 s^2 / n) (Bland & Altman 1986,
# BlandAltmanLeh); *_approx with the general SE s sqrt(1/n + z^2 / (2 (n - 1))) (Bland & Altman
# 1999, section 2.2); *_exact from the noncentral t quantiles qt(p, n - 1, ncp = sqrt(n) z)
# (Carkeet 2015). At n = 5 R warns "full precision may not have been achieved in pnt" (to stderr,
# not in the .out); its quantiles still agree with scipy.stats.nct to 1e-10.
# R 4.2.2, base R only (BlandAltmanLeh is not packaged for Debian and CRAN was not reachable; the
# formulas below are those of BlandAltmanLeh's bland.altman.stats, written out). Run from the
# repository root:
#   Rscript tests/reference/bland_altman.R > tests/reference/bland_altman.out
# Reads tests/reference/agreement_icc_vbq.csv (written by agreement_make_data.py).
options(digits = 15, width = 200)

p <- function(name, x) cat(name, "=", paste(format(unname(x), digits = 15), collapse = ", "), "\n")

report <- function(label, a, b, two = qnorm(0.975), conf.int = 0.95) {
  ok <- !is.na(a) & !is.na(b)
  d <- a[ok] - b[ok]
  n <- length(d)
  m <- mean(d)
  s <- sd(d)
  t <- qt((1 + conf.int) / 2, df = n - 1)
  lo <- m - two * s
  hi <- m + two * s
  se.loa <- sqrt(3 * s^2 / n)
  se.gen <- s * sqrt(1 / n + two^2 / (2 * (n - 1)))
  k <- qt(c((1 - conf.int) / 2, (1 + conf.int) / 2), df = n - 1, ncp = sqrt(n) * two) * s / sqrt(n)
  cat("#", label, " n =", n, " missing =", sum(!ok), " two =", format(two, digits = 15),
      " conf.int =", conf.int, "\n")
  p("bias", c(m, m - t * s / sqrt(n), m + t * s / sqrt(n)))
  p("sd", s)
  p("loa_low", c(lo, lo - t * se.loa, lo + t * se.loa))
  p("loa_high", c(hi, hi - t * se.loa, hi + t * se.loa))
  p("loa_low_approx", c(lo - t * se.gen, lo + t * se.gen))
  p("loa_high_approx", c(hi - t * se.gen, hi + t * se.gen))
  p("loa_low_exact", c(m - k[2], m - k[1]))
  p("loa_high_exact", c(m + k[1], m + k[2]))
  mn <- (a[ok] + b[ok]) / 2
  fit <- lm(d ~ mn)
  p("trend", c(coef(fit)[2], coef(fit)[1], confint(fit, level = conf.int)[2, ],
               summary(fit)$coefficients[2, 4]))
  cat("\n")
}

v <- read.csv("tests/reference/agreement_icc_vbq.csv")
report("inter: vbq - vbq_obs2", v$vbq, v$vbq_obs2)
report("intra: vbq - vbq_repeat, two = 1.96, 90% CI", v$vbq, v$vbq_repeat, two = 1.96,
       conf.int = 0.90)
report("limits99: vbq - vbq_obs2, 99% limits", v$vbq, v$vbq_obs2, two = qnorm(0.995))
# five patients (the first five rows): the approximate and exact CIs differ widely
five <- head(v, 5)
report("n5_95: vbq - vbq_repeat, first 5 rows", five$vbq, five$vbq_repeat)
report("n5_99: vbq - vbq_repeat, first 5 rows, 99% limits", five$vbq, five$vbq_repeat,
       two = qnorm(0.995))

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
