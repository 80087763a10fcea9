# Expected values for tests/stats/test_prevalence.py.
# R 4.2.2. Run from the repository root:
#   Rscript tests/reference/prevalence_reference.R > tests/reference/prevalence_reference.out
# Reads tests/reference/prevalence_data.csv (written by prevalence_make_data.py).
options(digits = 15)
d <- read.csv("tests/reference/prevalence_data.csv", na.strings = c("", "NA"))
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")
g <- factor(d$group, levels = c("control", "degenerative"))
test2 <- function(label, pos, grp) {
  tb <- table(factor(pos, levels = c(TRUE, FALSE)), grp)
  cat("##", label, "\n"); print(tb)
  cs <- suppressWarnings(chisq.test(tb, correct = FALSE))
  p("chisq statistic", cs$statistic); p("chisq p", cs$p.value); p("min expected", min(cs$expected))
  p("fisher p", fisher.test(tb)$p.value)
}
ref <- d$dxa_status == "osteoporosis"
tst <- d$vbq_status == "osteoporosis"
test2("dxa osteoporosis by group", ref, g)
test2("vbq osteoporosis by group", tst, g)
neg <- !is.na(ref) & !ref
test2("vbq osteoporosis among dxa-negative", tst[neg], g[neg])
low <- d$vbq_status %in% c("osteopenia", "osteoporosis"); low[is.na(d$vbq_status)] <- NA
test2("vbq low bone mass by group", low, g)

cat("# breakdowns\n")
test2("vbq osteoporosis by diagnosis", tst, factor(d$diagnosis))
test2("vbq osteoporosis by age >= 60", tst, d$age >= 60)

cat("# reclassification\n")
lv <- c("normal", "osteopenia", "osteoporosis")
print(table(factor(d$dxa_status, lv), factor(d$vbq_status, lv)))

cat("# The paper (Results): 54/101 vs 52/134 by VBQ, p = 0.025\n")
m <- matrix(c(54, 47, 52, 82), 2)
p("chisq correct=FALSE p", chisq.test(m, correct = FALSE)$p.value)
p("chisq correct=TRUE p", chisq.test(m, correct = TRUE)$p.value)
m2 <- matrix(c(38, 43, 33, 74), 2)
p("VBQ+ among DXA- 38/81 vs 33/107 chisq p", chisq.test(m2, correct = FALSE)$p.value)

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
