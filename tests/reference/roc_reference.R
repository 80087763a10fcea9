# Expected values for tests/stats/test_roc.py.
# R 4.2.2, pROC 1.18.0. Run from the repository root:
#   Rscript tests/reference/roc_reference.R > tests/reference/roc_reference.out
# Reads tests/reference/roc_data.csv (written by roc_make_data.py) and writes the full curves to
# tests/reference/roc_curve_vbq1.csv and roc_curve_hu.csv.
suppressMessages(library(pROC))
options(digits = 15)
d <- read.csv("tests/reference/roc_data.csv")
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")

report <- function(label, r) {
  cat("#", label, "\n")
  p("auc", as.numeric(auc(r)))
  p("ci.auc delong", as.numeric(ci.auc(r, method = "delong")))
  p("var delong", var(r, method = "delong"))
  best <- coords(r, "best", best.method = "youden",
                 ret = c("threshold", "sensitivity", "specificity", "ppv", "npv", "tp", "fp", "tn", "fn"),
                 transpose = FALSE)
  print(best, digits = 15)
  tl <- coords(r, "best", best.method = "closest.topleft",
               ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
  print(tl, digits = 15)
}

# VBQ, 1 decimal (ties), higher = osteoporosis
r_vbq1 <- roc(d$y, d$vbq1, levels = c(0, 1), direction = "<", quiet = TRUE)
report("vbq1 direction <", r_vbq1)
r_vbq2 <- roc(d$y, d$vbq2, levels = c(0, 1), direction = "<", quiet = TRUE)
report("vbq2 direction <", r_vbq2)
# HU, integers (ties), lower = osteoporosis
r_hu <- roc(d$y, d$hu, levels = c(0, 1), direction = ">", quiet = TRUE)
report("hu direction >", r_hu)
# the wrong direction kept explicitly: AUC < 0.5
r_hu_wrong <- roc(d$y, d$hu, levels = c(0, 1), direction = "<", quiet = TRUE)
report("hu direction < (wrong way)", r_hu_wrong)

write.csv(coords(r_vbq1, "all", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE),
          "tests/reference/roc_curve_vbq1.csv", row.names = FALSE)
write.csv(coords(r_hu, "all", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE),
          "tests/reference/roc_curve_hu.csv", row.names = FALSE)

paired <- function(label, r1, r2) {
  cat("#", label, "\n")
  t <- roc.test(r1, r2, method = "delong", paired = TRUE)
  p("Z", as.numeric(t$statistic))
  p("p.value", t$p.value)
  p("conf.int", as.numeric(t$conf.int))
  # method = "delong" explicitly: with curves of different directions pROC's default cov()
  # falls back to a (random) bootstrap, which made these two lines change from run to run
  cv <- cov(r1, r2, method = "delong")
  v <- var(r1) + var(r2) - 2 * cv
  p("var(r1)+var(r2)-2cov", v)
  p("cov", cv)
}
paired("paired vbq1 vs vbq2", r_vbq1, r_vbq2)
paired("paired vbq1 vs hu (directions < and >)", r_vbq1, r_hu)

cat("# unpaired vbq1 control vs degenerative\n")
ctl <- d[d$group == "control", ]
deg <- d[d$group == "degenerative", ]
r_c <- roc(ctl$y, ctl$vbq1, levels = c(0, 1), direction = "<", quiet = TRUE)
r_d <- roc(deg$y, deg$vbq1, levels = c(0, 1), direction = "<", quiet = TRUE)
t <- roc.test(r_c, r_d, method = "delong", paired = FALSE)
p("auc control, degenerative", c(as.numeric(auc(r_c)), as.numeric(auc(r_d))))
p("D", as.numeric(t$statistic))
p("df", as.numeric(t$parameter))
p("p.value", t$p.value)

cat("# Wilson intervals: prop.test(x, n, correct = FALSE)$conf.int\n")
for (xn in list(c(40, 55), c(70, 95), c(0, 12), c(12, 12), c(5, 17))) {
  p(sprintf("wilson %d/%d", xn[1], xn[2]), as.numeric(prop.test(xn[1], xn[2], correct = FALSE)$conf.int))
}
p("wilson 40/55 conf.level 0.9", as.numeric(prop.test(40, 55, correct = FALSE, conf.level = 0.9)$conf.int))

cat("# tiny data: n_pos = 1 (DeLong undefined) and constant score\n")
r_small <- roc(c(0, 0, 1), c(1, 2, 3), levels = c(0, 1), direction = "<", quiet = TRUE)
p("auc n_pos=1", as.numeric(auc(r_small)))
p("ci.auc n_pos=1", as.numeric(ci.auc(r_small, method = "delong")))
r_const <- roc(c(0, 0, 1, 1, 0), rep(2.5, 5), levels = c(0, 1), direction = "<", quiet = TRUE)
p("auc constant", as.numeric(auc(r_const)))
p("ci.auc constant", as.numeric(ci.auc(r_const, method = "delong")))
print(coords(r_const, "best", best.method = "youden", transpose = FALSE), digits = 15)

cat("# Youden ties among finite cutoffs\n")
r_tie <- roc(c(0, 0, 1, 0, 1, 1), c(1, 2, 3, 4, 5, 6), levels = c(0, 1), direction = "<", quiet = TRUE)
print(coords(r_tie, "best", best.method = "youden", transpose = FALSE), digits = 15)
r_tie2 <- roc(c(0, 0, 1, 0, 1, 1), -c(1, 2, 3, 4, 5, 6), levels = c(0, 1), direction = ">", quiet = TRUE)
print(coords(r_tie2, "best", best.method = "youden", transpose = FALSE), digits = 15)

cat("# compare_markers: the three paired tests and Holm\n")
ps <- c(roc.test(r_vbq1, r_vbq2, method = "delong", paired = TRUE)$p.value,
        roc.test(r_vbq1, r_hu, method = "delong", paired = TRUE)$p.value,
        roc.test(r_vbq2, r_hu, method = "delong", paired = TRUE)$p.value)
p("p vbq1-vbq2, vbq1-hu, vbq2-hu", ps)
p("p.adjust holm", p.adjust(ps, "holm"))
p("Z vbq2-hu", as.numeric(roc.test(r_vbq2, r_hu, method = "delong", paired = TRUE)$statistic))

cat("# combined marker: glm(y ~ vbq2 + hu + group, binomial)\n")
fit <- glm(y ~ vbq2 + hu + group, family = binomial, data = d)
p("coef", coef(fit))
p("se", sqrt(diag(vcov(fit))))
p("apparent auc", as.numeric(auc(roc(d$y, fitted(fit), levels = c(0, 1), direction = "<", quiet = TRUE))))

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
