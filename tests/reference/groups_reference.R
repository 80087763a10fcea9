# Expected values for tests/stats/test_groups.py.
# R 4.2.2, car 3.1-1. Run from the repository root:
#   Rscript tests/reference/groups_reference.R > tests/reference/groups_reference.out
# Reads tests/reference/groups_cohort.csv (written by groups_make_data.py).
suppressMessages(library(car))
options(digits = 15)
d <- read.csv("tests/reference/groups_cohort.csv", na.strings = c("", "NA"),
              colClasses = c(modic_type = "character"))
d$group <- factor(d$group, levels = c("control", "degenerative"))
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")

cat("# t-tests (formula: control - degenerative)\n")
for (v in c("vbq", "hu_l1")) {
  for (eq in c(TRUE, FALSE)) {
    tt <- t.test(d[[v]] ~ d$group, var.equal = eq)
    cat("## t.test(", v, "~ group, var.equal =", eq, ")\n")
    p("statistic", tt$statistic); p("df", tt$parameter); p("p.value", tt$p.value)
    p("conf.int", tt$conf.int); p("estimate", tt$estimate)
  }
}

cat("# chi-square / Fisher\n")
tab_sex <- table(d$sex, d$group)
print(tab_sex)
cs <- chisq.test(tab_sex, correct = FALSE)
p("sex chisq correct=FALSE statistic", cs$statistic); p("p.value", cs$p.value)
p("sex chisq correct=TRUE p.value", chisq.test(tab_sex, correct = TRUE)$p.value)
p("sex fisher p.value", fisher.test(tab_sex)$p.value)
tab_dx <- table(d$diagnosis, d$group)
print(tab_dx)
cs <- suppressWarnings(chisq.test(tab_dx, correct = FALSE))
p("diagnosis chisq statistic", cs$statistic); p("p.value", cs$p.value)
p("expected min", min(cs$expected))
p("diagnosis fisher p.value", fisher.test(tab_dx)$p.value)

cat("# Modic among patients with change\n")
m <- d[d$modic_type != "none", ]
for (v in c("modic_type", "modic_levels", "modic_grade")) {
  tb <- table(m[[v]], m$group)
  print(tb)
  cs <- suppressWarnings(chisq.test(tb, correct = FALSE))
  p(paste(v, "chisq p.value"), cs$p.value); p("expected min", min(cs$expected))
  p(paste(v, "fisher p.value"), fisher.test(tb)$p.value)
}

cat("# Paper Table 5 counts (degenerative, control)\n")
t5 <- list(type = matrix(c(4, 39, 4, 9, 2, 38, 4, 1), ncol = 2),
           levels = matrix(c(16, 21, 15, 4, 28, 10, 6, 1), ncol = 2),
           grade = matrix(c(40, 8, 8, 32, 11, 2), ncol = 2))
for (nm in names(t5)) {
  p(paste("table5", nm, "fisher"), fisher.test(t5[[nm]])$p.value)
  p(paste("table5", nm, "chisq"), suppressWarnings(chisq.test(t5[[nm]], correct = FALSE))$p.value)
}

cat("# Fisher r x 2 on fixed tables\n")
fx <- list(a = matrix(c(10, 60, 20, 5, 2, 3, 40, 30, 5, 9), ncol = 2),
           b = matrix(c(0, 30, 20, 5, 2, 40, 3, 40, 30, 5, 9, 30), ncol = 2),
           c = matrix(c(1, 0, 7, 3, 4, 0), ncol = 2),
           d = matrix(c(5, 5, 5, 5, 5, 5, 5, 5), ncol = 2))
for (nm in names(fx)) p(paste("fisher", nm), fisher.test(fx[[nm]])$p.value)

cat("# ANCOVA, type III, contr.sum\n")
anc <- function(formula, data) {
  fit <- lm(formula, data = data, contrasts = list(group = "contr.sum"))
  a <- Anova(fit, type = 3)
  print(a, digits = 15)
  p("Sum Sq", a$`Sum Sq`); p("Df", a$Df); p("F", a$`F value`); p("p", a$`Pr(>F)`)
  fit
}
fit <- anc(vbq ~ group + age, d)
cc <- d[complete.cases(d[, c("vbq", "group", "age")]), ]
p("n complete", nrow(cc))
nd <- data.frame(group = levels(d$group), age = mean(cc$age))
pr <- predict(fit, newdata = nd, se.fit = TRUE, interval = "confidence")
p("adjusted means", pr$fit[, "fit"]); p("se", pr$se.fit)
p("lwr", pr$fit[, "lwr"]); p("upr", pr$fit[, "upr"])
p("type 1 (anova) Sum Sq", anova(lm(vbq ~ group + age, data = d))$`Sum Sq`)

fit2 <- anc(hu_l1 ~ group + age + bmi, d)
cc2 <- d[complete.cases(d[, c("hu_l1", "group", "age", "bmi")]), ]
nd2 <- data.frame(group = levels(d$group), age = mean(cc2$age), bmi = mean(cc2$bmi))
pr2 <- predict(fit2, newdata = nd2, se.fit = TRUE, interval = "confidence")
p("adjusted means", pr2$fit[, "fit"]); p("se", pr2$se.fit)

cat("# ANCOVA with four groups (diagnosis as between)\n")
d4 <- d
d4$group <- factor(d4$diagnosis, levels = c("disc_herniation", "scoliosis", "spondylolisthesis", "stenosis"))
fit4 <- anc(vbq ~ group + age, d4)
cc4 <- d4[complete.cases(d4[, c("vbq", "group", "age")]), ]
pr4 <- predict(fit4, newdata = data.frame(group = levels(d4$group), age = mean(cc4$age)),
               se.fit = TRUE, interval = "confidence")
p("adjusted means", pr4$fit[, "fit"]); p("se", pr4$se.fit)

cat("# Fisher's exact test of a 3 x 3 table (the Monte Carlo fallback's reference)\n")
cat("fisher 3x3 =", format(fisher.test(matrix(c(3, 4, 5, 4, 4, 1, 0, 5, 6), 3, byrow = TRUE))$p.value,
                           digits = 15), "\n")

# The session that produced this output (R, package versions, platform)
cat("\n# sessionInfo()\n")
print(sessionInfo())
