# Expected values for tests/stats/test_correlation.py.
# R 4.2.2, psych 2.2.9. Run from the repository root:
#   Rscript tests/reference/correlation_reference.R > tests/reference/correlation_reference.out
# Reads tests/reference/correlation_data.csv (written by correlation_make_data.py).
suppressMessages(library(psych))
options(digits = 15)
d <- read.csv("tests/reference/correlation_data.csv")
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")

pear <- function(label, x, y) {
  ct <- cor.test(x, y)  # complete pairs only (na.action = na.omit for pairs)
  cat("##", label, "pearson\n")
  p("estimate", ct$estimate); p("statistic", ct$statistic); p("df", ct$parameter)
  p("p.value", ct$p.value); p("conf.int", ct$conf.int)
  p("n", sum(complete.cases(x, y)))
  invisible(ct)
}
spear <- function(label, x, y) {
  ct <- suppressWarnings(cor.test(x, y, method = "spearman", exact = FALSE))
  ok <- complete.cases(x, y); n <- sum(ok); rho <- unname(ct$estimate)
  # Bonett-Wright interval, written out: tanh(atanh(rho) -/+ qnorm(0.975) * sqrt((1 + rho^2/2)/(n - 3)))
  se <- sqrt((1 + rho^2 / 2) / (n - 3))
  cat("##", label, "spearman exact=FALSE\n")
  p("estimate", rho); p("p.value", ct$p.value)
  p("bonett-wright ci", tanh(atanh(rho) + c(-1, 1) * qnorm(0.975) * se))
}
pear("vbq ~ bmd all", d$vbq, d$bmd_l1_l4)
pear("vbq ~ hu all 90%", d$vbq, d$hu_l1)
ct90 <- cor.test(d$vbq, d$hu_l1, conf.level = 0.90); p("conf.int 0.90", ct90$conf.int)
spear("vbq ~ t all", d$vbq, d$t_l1_l4)
spear("t ~ bmd all", d$t_l1_l4, d$bmd_l1_l4)

res <- list()
for (g in c("control", "degenerative")) {
  s <- d[d$group == g, ]
  res[[g]] <- pear(paste("vbq ~ bmd", g), s$vbq, s$bmd_l1_l4)
  pear(paste("vbq ~ t", g), s$vbq, s$t_l1_l4)
}

cat("# Fisher z-test of two independent correlations\n")
zou <- function(r1, n1, r2, n2, conf = 0.95) {
  # Zou (2007): L = r1 - r2 - sqrt((r1 - l1)^2 + (u2 - r2)^2); U = r1 - r2 + sqrt((u1 - r1)^2 + (r2 - l2)^2)
  q <- qnorm(0.5 + conf / 2)
  ci <- function(r, n) tanh(atanh(r) + c(-1, 1) * q / sqrt(n - 3))
  c1 <- ci(r1, n1); c2 <- ci(r2, n2)
  c(r1 - r2 - sqrt((r1 - c1[1])^2 + (c2[2] - r2)^2), r1 - r2 + sqrt((c1[2] - r1)^2 + (r2 - c2[1])^2))
}
ztest <- function(r1, n1, r2, n2) {
  z <- (atanh(r1) - atanh(r2)) / sqrt(1 / (n1 - 3) + 1 / (n2 - 3))
  c(z, 2 * pnorm(-abs(z)))
}
rc <- unname(res$control$estimate); rd <- unname(res$degenerative$estimate)
nc <- res$control$parameter + 2; nd <- res$degenerative$parameter + 2
rt <- r.test(n = nc, r12 = rc, n2 = nd, r34 = rd)
p("data r.test z", rt$z); p("data r.test p", rt$p)
p("data hand z, p", ztest(rc, nc, rd, nd)); p("data zou ci", zou(rc, nc, rd, nd))
cat("# The paper's Table 3 r values (control n = 134, degenerative n = 101)\n")
for (pair in list(c(-0.611, -0.453), c(-0.620, -0.460), c(-0.611, -0.630))) {
  rt <- r.test(n = 134, r12 = pair[1], n2 = 101, r34 = pair[2])
  p(paste("paper", pair[1], pair[2], "r.test z"), rt$z); p("r.test p", rt$p)
  p("zou ci", zou(pair[1], 134, pair[2], 101))
  p("zou ci 0.90", zou(pair[1], 134, pair[2], 101, 0.90))
}

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
