# Expected values for tests/test_study.py (vbq.study.fit_line): the confidence band of a
# least-squares line. R 4.2.2. Run from the repository root:
#   Rscript tests/reference/study_fit_line.R > tests/reference/study_fit_line.out
# Reads tests/reference/study_fit_line.csv (written by study_fit_line_make_data.py).
options(digits = 15)
d <- read.csv("tests/reference/study_fit_line.csv")
fit <- lm(y ~ x, data = d)
cat("# n complete pairs, n missing\n")
cat("n =", nobs(fit), "\n")
cat("n_missing =", sum(!complete.cases(d)), "\n")
grid <- data.frame(x = seq(min(d$x, na.rm = TRUE), max(d$x, na.rm = TRUE), length.out = 5))
p <- predict(fit, newdata = grid, interval = "confidence", level = 0.95)
cat("# predict(lm(y ~ x), grid, interval = \"confidence\", level = 0.95): x, fit, lwr, upr\n")
band <- cbind(grid, p)
for (i in seq_len(nrow(band))) {
  cat("band", i, "=", paste(format(unlist(band[i, ]), digits = 15), collapse = ", "), "\n")
}

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
