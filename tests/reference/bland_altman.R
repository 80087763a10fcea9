# Expected Bland-Altman values for tests/stats/test_bland_altman.py; the trend (proportional bias)
# is lm(d ~ mean): slope, intercept, confint of the slope, p of the slope.
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
  cat("#", label, " n =", n, " missing =", sum(!ok), " two =", format(two, digits = 15),
      " conf.int =", conf.int, "\n")
  p("bias", c(m, m - t * s / sqrt(n), m + t * s / sqrt(n)))
  p("sd", s)
  p("loa_low", c(lo, lo - t * se.loa, lo + t * se.loa))
  p("loa_high", c(hi, hi - t * se.loa, hi + t * se.loa))
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

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
