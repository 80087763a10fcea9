# Expected values for tests/stats/test_risk.py (vbq.stats.risk_model).
# R 4.2.2, rms 6.5-0 (Debian r-cran-rms). Run from the repository root:
#   Rscript tests/reference/risk_reference.R > tests/reference/risk_reference.out
# Reads tests/reference/risk_data.csv and risk_boot_indices.csv (written by risk_make_data.py):
# the 200 bootstrap resamples Python drew (seed 11), one a line, 0-based.
#
# rms's validate() and calibrate() draw their resamples with sample() inside
# rms:::predab.resample. To run rms's own code on Python's resamples, copies of validate.lrm,
# calibrate.default and predab.resample are given an environment (child of rms's namespace) in
# which sample() returns the next exported resample; nothing else of rms is changed.
suppressMessages(library(rms))
options(digits = 15)
d <- read.csv("tests/reference/risk_data.csv")
d$sex <- factor(d$sex, levels = c("F", "M"))
idx <- as.matrix(read.csv("tests/reference/risk_boot_indices.csv", header = FALSE)) + 1L
dimnames(idx) <- NULL
B <- nrow(idx)
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")

with_python_resamples <- function(f) {
  env <- new.env(parent = asNamespace("rms"))
  env$k <- 0L
  env$sample <- function(x, size, replace = FALSE, prob = NULL) {
    env$k <- env$k + 1L
    if (!replace || length(x) != 1L || x != ncol(idx)) stop("unexpected sample() call")
    idx[env$k, ]
  }
  pr <- rms:::predab.resample
  environment(pr) <- env
  env$predab.resample <- pr
  environment(f) <- env
  f
}

model <- function(label, formula) {
  cat("#", label, "\n")
  fit <- lrm(formula, data = d, x = TRUE, y = TRUE)
  se <- sqrt(diag(vcov(fit)))
  p("coef", coef(fit))
  p("se", se)
  p("wald ci_low", coef(fit) - qnorm(0.975) * se)
  p("wald ci_high", coef(fit) + qnorm(0.975) * se)
  g <- glm(formula, family = binomial, data = d)
  p("glm coef", coef(g))
  p("glm confint.default", as.numeric(confint.default(g)))
  p("C", fit$stats[["C"]])
  p("Brier", fit$stats[["Brier"]])

  # one patient: delta method on the linear predictor
  new <- data.frame(vbq = 3.2, age = 65, sex = factor("F", levels = c("F", "M")), hu = 100)
  pr <- predict(fit, new, se.fit = TRUE)
  lp <- as.numeric(pr$linear.predictors)
  sp <- as.numeric(pr$se.fit)
  p("predict vbq 3.2 age 65 F hu 100: lp, se", c(lp, sp))
  p("predict vbq 3.2 age 65 F hu 100: p, low, high",
    plogis(c(lp, lp - qnorm(0.975) * sp, lp + qnorm(0.975) * sp)))

  # rms::validate on Python's resamples
  v <- with_python_resamples(rms:::validate.lrm)(fit, method = "boot", B = B)
  print(round(v[c("Dxy", "Intercept", "Slope", "B"), ], 15), digits = 15)
  p("validate Dxy index.orig, optimism, index.corrected", v["Dxy", c(1, 4, 5)])
  p("validate C corrected", (v["Dxy", "index.corrected"] + 1) / 2)
  p("validate Slope optimism, index.corrected", v["Slope", c(4, 5)])
  p("validate B index.orig, optimism, index.corrected", v["B", c(1, 4, 5)])
  p("validate n", v["Dxy", "n"])

  # calibration-in-the-large (intercept with the linear predictor as offset) is not among
  # validate's indexes: a plain loop over the same resamples, with glm
  ytr <- numeric(B); yte <- numeric(B); ctr <- numeric(B); cte <- numeric(B)
  for (b in seq_len(B)) {
    db <- d[idx[b, ], ]
    fb <- glm(formula, family = binomial, data = db)
    lp_train <- predict(fb, db)
    lp_test <- predict(fb, d)
    ctr[b] <- coef(glm(y ~ 1, offset = lp_train, family = binomial, data = db))[[1]]
    cte[b] <- coef(glm(y ~ 1, offset = lp_test, family = binomial, data = d))[[1]]
    ytr[b] <- coef(glm(y ~ lp_train, family = binomial, data = db))[[2]]
    yte[b] <- coef(glm(y ~ lp_test, family = binomial, data = d))[[2]]
  }
  citl_apparent <- coef(glm(y ~ 1, offset = predict(g), family = binomial, data = d))[[1]]
  p("loop citl apparent, optimism, corrected",
    c(citl_apparent, mean(ctr - cte), citl_apparent - mean(ctr - cte)))
  p("loop slope optimism", mean(ytr - yte))

  # rms::calibrate (lowess, 50 points) on the same resamples
  cal <- with_python_resamples(rms:::calibrate.default)(fit, method = "boot", B = B)
  p("calibrate predy", cal[, "predy"])
  p("calibrate calibrated.orig", cal[, "calibrated.orig"])
  p("calibrate calibrated.corrected", cal[, "calibrated.corrected"])
}

model("model 1: vbq + age + sex", y ~ vbq + age + sex)
model("model 2: vbq + age + sex + hu", y ~ vbq + age + sex + hu)

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
