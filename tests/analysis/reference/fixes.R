# Reference figures for the analysis fixes of issue 15 (trimming, empty domains, 0/1 levels,
# domain degrees of freedom), computed with R's survey package on its api data.
# Usage: Rscript fixes.R API_DIR > fixes.csv      (API_DIR holds apistrat.csv, apiclus1.csv, apiclus2.csv)
# Output: one "key,value" line per figure, values to 17 significant digits.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
api <- if (length(args)) args[1] else "/work/shared/reference/api"
read <- function(name) read.csv(file.path(api, paste0(name, ".csv")))
out <- function(key, value) cat(sprintf("%s,%.17g\n", key, value), sep = "")
cat("key,value\n")

apistrat <- read("apistrat"); apiclus1 <- read("apiclus1"); apiclus2 <- read("apiclus2")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)

# 1. trimWeights(strict = TRUE) on dclus2 with bounds [19.87, 52.99] (mean weight 40.70).
trimmed <- trimWeights(dclus2, lower = 19.87, upper = 52.99, strict = TRUE)
w <- weights(trimmed)
for (i in seq_along(w)) out(sprintf("trim.weight.%d", i), w[i])
m <- svymean(~api00, trimmed); out("trim.api00.mean", coef(m)); out("trim.api00.se", SE(m))
t <- svytotal(~enroll, trimmed, na.rm = TRUE); out("trim.enroll.total", coef(t)); out("trim.enroll.se", SE(t))

# 2. A domain whose variable is all missing (api00 removed for high schools): R prints 0 and 0
#    for it (na.rm drops every row); the other domains are the reference.
apiclus1$y <- ifelse(apiclus1$stype == "H", NA, apiclus1$api00)
apiclus1$b <- ifelse(apiclus1$api00 > 650, 1, 0)
apiclus1$b[c(1, 5, 9)] <- NA
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
by <- svyby(~y, ~stype, dclus1, svymean, na.rm = TRUE)
for (s in rownames(by)) {
  out(sprintf("empty.%s.mean", s), by[s, "y"]); out(sprintf("empty.%s.se", s), by[s, "se"])
}

# 3. A 0/1 column with missing values: levels "0" and "1".
p <- svymean(~factor(b), dclus1, na.rm = TRUE)
for (k in names(coef(p))) {
  level <- sub("factor\\(b\\)", "", k)
  out(sprintf("binary.%s.mean", level), coef(p)[k]); out(sprintf("binary.%s.se", level), SE(p)[k])
}

# 4. Degrees of freedom of each domain: degf(subset(design, domain)), and the t interval on it.
for (name in c("dstrat", "dclus1", "dclus2")) {
  design <- get(name)
  out(sprintf("df.%s.design", name), degf(design))
  for (s in c("E", "H", "M")) {
    sub <- subset(design, stype == s)
    m <- svymean(~api00, sub)
    ci <- confint(m, df = degf(sub))
    out(sprintf("df.%s.%s", name, s), degf(sub))
    out(sprintf("df.%s.%s.mean", name, s), coef(m)); out(sprintf("df.%s.%s.se", name, s), SE(m))
    out(sprintf("df.%s.%s.ci_low", name, s), ci[1]); out(sprintf("df.%s.%s.ci_high", name, s), ci[2])
  }
}

# 5. The median of each domain with its Woodruff interval on the domain's df (svyquantile's default
#    df is degf of the design it is given: here the subset).
for (s in c("E", "H", "M")) {
  q <- svyquantile(~api00, subset(dclus1, stype == s), 0.5)
  ci <- confint(q)
  out(sprintf("median.dclus1.%s", s), coef(q)); out(sprintf("median.dclus1.%s.ci_low", s), ci[1])
  out(sprintf("median.dclus1.%s.ci_high", s), ci[2])
}
