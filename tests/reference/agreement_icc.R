# Expected ICC values for tests/stats/test_agreement.py.
# R 4.2.2, psych 2.2.9. Run from the repository root:
#   Rscript tests/reference/agreement_icc.R > tests/reference/agreement_icc.out
# Reads tests/reference/agreement_icc_shrout_fleiss.csv and agreement_icc_vbq.csv (written by
# agreement_make_data.py). lmer = FALSE: the classical ANOVA mean squares (the lme4 default gives
# the same values only while every variance component is positive, and only to optimiser accuracy).
suppressMessages(library(psych))
options(digits = 15, width = 200)

report <- function(label, x, alpha = 0.05) {
  cat("#", label, " n =", nrow(x), " k =", ncol(x), " alpha =", alpha, "\n")
  r <- ICC(x, lmer = FALSE, alpha = alpha)
  print(r$results[, c("type", "ICC", "F", "df1", "df2", "p", "lower bound", "upper bound")],
        digits = 15)
  cat("MSB MSJ MSE =", format(r$stats[3, ], digits = 15), "\n")
  cat("MSW =", format((r$stats[2, 2] + r$stats[2, 3]) / (r$stats[1, 2] + r$stats[1, 3]),
                      digits = 15), "\n\n")
}

sf <- read.csv("tests/reference/agreement_icc_shrout_fleiss.csv")
sfw <- reshape(sf, idvar = "target", timevar = "judge", direction = "wide")
report("Shrout & Fleiss (1979) Table 2", sfw[, -1])

v <- read.csv("tests/reference/agreement_icc_vbq.csv")
report("intra: vbq, vbq_repeat", v[, c("vbq", "vbq_repeat")])
report("inter: vbq, vbq_obs2 (na.omit)", na.omit(v[, c("vbq", "vbq_obs2")]))
report("three: vbq, vbq_repeat, vbq_obs2 (na.omit)", na.omit(v[, c("vbq", "vbq_repeat", "vbq_obs2")]))
report("inter, 90% CI", na.omit(v[, c("vbq", "vbq_obs2")]), alpha = 0.10)

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
