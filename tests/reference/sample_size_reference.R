# Expected values for tests/stats/test_sample_size.py.
# R 4.2.2 with pROC 1.18.0. Run from the repository root:
#   Rscript tests/reference/sample_size_reference.R > tests/reference/sample_size_reference.out
# pROC's power.roc.test (one AUC against 0.5), and the published formulas written out here
# independently of the Python code: Buderer 1996; Obuchowski 1998 with the variance function of
# Obuchowski & McClish 1997; Riley et al. BMJ 2020, with the Cox-Snell R2 of a C statistic from a
# simulation of a million patients fitted by glm (Riley, Van Calster & Collins, Stat Med 2021).
options(digits = 15)
suppressPackageStartupMessages(library(pROC))
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")

cat("# pROC power.roc.test, one AUC against 0.5\n")
for (alt in c("one.sided", "two.sided")) {
  for (auc in c(0.6, 0.7, 0.8, 0.9)) {
    for (kappa in c(1, 2.5)) {
      r <- power.roc.test(auc = auc, sig.level = 0.05, power = 0.8, kappa = kappa,
                          alternative = alt)
      p(sprintf("ncases %s auc %g kappa %g", alt, auc, kappa), r$ncases)
    }
  }
}
r <- power.roc.test(auc = 0.6, ncases = 97, ncontrols = 97, sig.level = 0.05,
                    alternative = "one.sided")
p("power at 97 and 97, one.sided auc 0.6", r$power)
r <- power.roc.test(auc = 0.6, ncases = 98, ncontrols = 98, sig.level = 0.05,
                    alternative = "one.sided")
p("power at 98 and 98, one.sided auc 0.6", r$power)

cat("# Obuchowski's formula written out: a null other than 0.5, two AUCs\n")
V <- function(theta, R) {
  a <- 1.414 * qnorm(theta)
  0.0099 * exp(-a^2 / 2) * ((5 * a^2 + 8) + (a^2 + 8) / R)
}
n1 <- function(auc, null, alpha, power, R, sides) {
  za <- qnorm(1 - alpha / sides); zb <- qnorm(power)
  (za * sqrt(V(null, R)) + zb * sqrt(V(auc, R)))^2 / (auc - null)^2
}
p("n one auc 0.85 null 0.7 two-sided R 1", n1(0.85, 0.7, 0.05, 0.8, 1, 2))
p("n one auc 0.85 null 0.7 one-sided R 2", n1(0.85, 0.7, 0.05, 0.9, 2, 1))
n2 <- function(a1, a2, r, alpha, power, R, sides) {
  za <- qnorm(1 - alpha / sides); zb <- qnorm(power)
  va <- V(a1, R) + V(a2, R) - 2 * r * sqrt(V(a1, R) * V(a2, R))
  v0 <- 2 * V((a1 + a2) / 2, R) * (1 - r)
  (za * sqrt(v0) + zb * sqrt(va))^2 / (a1 - a2)^2
}
p("n two independent 0.9 vs 0.7 two-sided", n2(0.9, 0.7, 0, 0.05, 0.8, 1, 2))
p("n two paired 0.865 vs 0.818 r 0.5 two-sided", n2(0.865, 0.818, 0.5, 0.05, 0.8, 1, 2))
p("n two paired 0.8 vs 0.7 r 0.3 one-sided R 1.5", n2(0.8, 0.7, 0.3, 0.05, 0.8, 1.5, 1))

cat("# Buderer 1996 written out\n")
buderer <- function(se, sp, d, prev, conf = 0.95) {
  z <- qnorm(0.5 + conf / 2)
  cases <- z^2 * se * (1 - se) / d^2; controls <- z^2 * sp * (1 - sp) / d^2
  c(cases, controls, cases / prev, controls / (1 - prev))
}
p("buderer 0.93 0.654 0.07 0.30", buderer(0.93, 0.654, 0.07, 0.30))
p("buderer 0.80 0.90 0.05 0.10 conf 0.90", buderer(0.80, 0.90, 0.05, 0.10, 0.90))

cat("# Riley et al. 2020, R2 by simulation (set.seed(20200318), one million patients)\n")
r2_sim <- function(C, prev, n = 1e6) {
  mu <- sqrt(2) * qnorm(C)
  events <- rbinom(n, 1, prev)
  lp <- rnorm(n, mean = ifelse(events == 1, mu, 0), sd = 1)
  fit <- glm(events ~ lp, family = binomial)
  lr <- fit$null.deviance - fit$deviance
  1 - exp(-lr / n)
}
riley <- function(R2, prev, P, S = 0.9) {
  maxr2 <- 1 - (prev^prev * (1 - prev)^(1 - prev))^2
  S2 <- R2 / (R2 + 0.05 * maxr2)
  c(P / ((S - 1) * log(1 - R2 / S)), P / ((S2 - 1) * log(1 - R2 / S2)),
    (1.96 / 0.05)^2 * prev * (1 - prev), maxr2, S2)
}
set.seed(20200318)
for (case in list(c(0.80, 0.25, 4), c(0.75, 0.10, 10), c(0.85, 0.40, 20))) {
  R2 <- r2_sim(case[1], case[2])
  tag <- sprintf("C %g prev %g P %g", case[1], case[2], case[3])
  p(paste("r2cs", tag), R2)
  p(paste("criteria n1 n2 n3 maxr2 S2", tag), riley(R2, case[2], case[3]))
}

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
