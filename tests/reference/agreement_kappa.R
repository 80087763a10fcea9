# Expected Cohen's kappa values for tests/stats/test_agreement.py.
# R 4.2.2, vcd 1.4-11, psych 2.2.9. Run from the repository root:
#   Rscript tests/reference/agreement_kappa.R > tests/reference/agreement_kappa.out
# Reads tests/reference/agreement_kappa_binary.csv and agreement_kappa_ordinal.csv (written by
# agreement_make_data.py). vcd::Kappa reports kappa and the asymptotic SE (ASE) of Fleiss, Cohen &
# Everitt (1969); confint() gives kappa -/+ qnorm(0.975) * ASE (clipped to [-1, 1], not reached here).
suppressMessages({library(vcd); library(psych)})
options(digits = 15, width = 200)
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")

report <- function(label, tab) {
  cat("#", label, " n =", sum(tab), "\n")
  print(tab)
  for (w in c("Equal-Spacing", "Fleiss-Cohen")) {
    k <- Kappa(tab, weights = w)
    ci <- confint(k)
    p("unweighted kappa, ASE", k$Unweighted)
    p("unweighted confint", ci["Unweighted", ])
    p(paste("weighted", w, "kappa, ASE"), k$Weighted)
    p(paste("weighted", w, "confint"), ci["Weighted", ])
  }
  cat("\n")
}

b <- read.csv("tests/reference/agreement_kappa_binary.csv")
lv <- c("no", "yes")
tb <- table(factor(b$degenerative, levels = lv), factor(b$degenerative_obs2, levels = lv))
report("binary: degenerative vs degenerative_obs2", tb)
pk <- cohen.kappa(cbind(b$degenerative, b$degenerative_obs2))
p("psych cohen.kappa kappa, var.kappa", c(pk$kappa, pk$var.kappa))
p("psych confid unweighted", pk$confid[1, ])
cat("\n")

o <- read.csv("tests/reference/agreement_kappa_ordinal.csv")
cat("ordinal: missing pairs =", sum(is.na(o$ucla) | is.na(o$ucla_obs2)), "\n")
to <- table(factor(o$ucla, levels = 1:4), factor(o$ucla_obs2, levels = 1:4))  # drops NA pairs
report("ordinal: ucla vs ucla_obs2, levels 1:4", to)
oo <- na.omit(o[, c("ucla", "ucla_obs2")])
pk <- cohen.kappa(oo)
p("psych cohen.kappa kappa, var.kappa", c(pk$kappa, pk$var.kappa))
cat("\n")

to5 <- table(factor(o$ucla, levels = 0:4), factor(o$ucla_obs2, levels = 0:4))
report("ordinal with an unused level: levels 0:4", to5)

lv <- c(1, 3, 2, 4)
tp <- table(factor(o$ucla, levels = lv), factor(o$ucla_obs2, levels = lv))
report("ordinal with categories in the order 1, 3, 2, 4", tp)

# SAS PROC FREQ agreement example as reproduced in statsmodels' test_inter_rater.py (table10)
sas <- matrix(c(0, 4, 1, 0, 8, 0, 0, 1, 5), 3, byrow = TRUE)
report("SAS example table", as.table(sas))

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
