# R 4.2.2: confidence band of a least-squares line, expected values for tests/test_study.py
d <- read.csv("study_fit_line.csv")
fit <- lm(y ~ x, data = d)
grid <- data.frame(x = seq(min(d$x, na.rm = TRUE), max(d$x, na.rm = TRUE), length.out = 5))
p <- predict(fit, newdata = grid, interval = "confidence", level = 0.95)
print(cbind(grid, p), digits = 15)
