# Expected values for tests/test_scanners.py (issue 19: ROC by MRI field strength).
# R 4.2.2, pROC 1.18.0. Run from the repository root:
#   Rscript tests/reference/strata_reference.R > tests/reference/strata_reference.out
# Reads tests/reference/strata_data.csv (written by strata_make_data.py). Patients without a
# field strength are in no stratum.
suppressMessages(library(pROC))
options(digits = 15)
d <- read.csv("tests/reference/strata_data.csv")
p <- function(name, x) cat(name, "=", paste(format(x, digits = 15), collapse = ", "), "\n")

run <- function(label, rows, positive) {
  cat("#", label, "\n")
  rows <- rows[!is.na(rows$field_strength_t), ]
  rows$y <- as.integer(rows$dxa_status %in% positive)
  curves <- list()
  for (t in sort(unique(rows$field_strength_t))) {
    s <- rows[rows$field_strength_t == t, ]
    r <- roc(s$y, s$vbq, levels = c(0, 1), direction = "<", quiet = TRUE)
    curves[[as.character(t)]] <- r
    best <- coords(r, "best", best.method = "youden",
                   ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
    p(paste0("stratum ", t, " n, positive"), c(nrow(s), sum(s$y)))
    p(paste0("stratum ", t, " auc"), as.numeric(auc(r)))
    p(paste0("stratum ", t, " ci.auc delong"), as.numeric(ci.auc(r, method = "delong"))[c(1, 3)])
    p(paste0("stratum ", t, " youden threshold, sensitivity, specificity"), as.numeric(best[1, ]))
  }
  names_ <- names(curves)
  ps <- c()
  for (i in seq_along(names_)) for (j in seq_along(names_)) if (i < j) {
    tt <- roc.test(curves[[i]], curves[[j]], method = "delong", paired = FALSE)
    pair <- paste0("pair ", names_[i], " vs ", names_[j])
    p(paste(pair, "D"), as.numeric(tt$statistic))
    p(paste(pair, "df"), as.numeric(tt$parameter))
    p(paste(pair, "p.value"), tt$p.value)
    ps <- c(ps, tt$p.value)
  }
  p("p.adjust holm", p.adjust(ps, "holm"))
}

run("all patients, osteoporosis", d, c("osteoporosis"))
run("control group, osteopenia or worse", d[d$group == "control", ], c("osteopenia", "osteoporosis"))

cat("\n# sessionInfo()\n")
print(sessionInfo())
