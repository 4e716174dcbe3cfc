## ---------------------------------------------------------------------------------------------
## How the platform computes the published figures, in R's survey package (Lumley 2010):
##
##  1. the rows kept for analysis (analysed == 1) of the exported data file, codes not labels;
##  2. the design: strata = `stratum`, PSUs = `psu` (villages; each respondent its own PSU where
##     there is no village), weights = `base_weight` (1 / selection probability), sampled with
##     replacement (no finite population correction);
##  3. the weights raked within each unit to its adult population by sex and by age group, the
##     targets of design.csv (a margin whose level has no respondent is collapsed to the unit's
##     whole population, code "*"), by calibrate(calfun = "raking"); the variances use the
##     calibration residuals, as the platform does; the raked weights equal the `weight` column;
##  4. per unit, a criterion's % satisfied is the weighted share of answers 4-5 among the answers
##     1-5 (the don't-know / refusal codes and blanks left out); a factor's is the mean of its
##     criteria's, the overall figure the mean of the factors' (mean scores likewise); the
##     standard errors by linearisation of these ratios of totals (svytotal + svycontrast);
##  5. intervals on each unit's degrees of freedom, degf(subset(design, unit)): logit for shares
##     (as svyciprop(method = "logit")), Wald for mean scores.
## ---------------------------------------------------------------------------------------------
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail", stringsAsFactors = FALSE)

arguments <- commandArgs(trailingOnly = TRUE)
if (length(arguments) >= 1) data_file <- arguments[1]
if (length(arguments) >= 2) design_file <- arguments[2]
if (length(arguments) >= 3) output_file <- arguments[3]

read_export <- function(path) {
  read.csv(path, colClasses = "character", fileEncoding = "UTF-8-BOM", check.names = FALSE,
           na.strings = character(0))
}

data <- read_export(data_file)
data <- data[data$analysed == "1", , drop = FALSE]
for (column in c("selection_probability", "base_weight", "weight")) data[[column]] <- as.numeric(data[[column]])
margins <- read_export(design_file)
margins <- margins[margins$margin != "", , drop = FALSE]
margins$population <- as.numeric(margins$population)

## -- the design and its calibration ------------------------------------------------------------
raking_cell <- function(margin) {
  rows <- margins[margins$margin == margin, ]
  whole <- unique(rows$unit_code[rows$code == "*"])
  level <- ifelse(data$unit_code %in% whole, "*", data[[rows$variable[1]]])
  factor(paste(data$unit_code, level, sep = "|"))
}

if (nrow(margins) > 0) {
  base <- svydesign(ids = ~psu, strata = ~stratum, weights = ~base_weight, data = data, nest = TRUE)
  margin_names <- unique(margins$margin)
  for (margin in margin_names) data[[margin]] <- raking_cell(margin)
  base$variables <- data
  calibration <- reformulate(margin_names)
  cells <- setNames(margins$population, paste0(margins$margin, margins$unit_code, "|", margins$code))
  whole <- sum(margins$population[margins$margin == margin_names[1]])
  population <- c("(Intercept)" = whole, cells)[colnames(model.matrix(calibration, data))]
  stopifnot(!anyNA(population))
  design <- calibrate(base, calibration, population = population, calfun = "raking",
                      epsilon = 1e-10, maxit = 500)
  gap <- max(abs(weights(design) / data$weight - 1))
  if (gap > 1e-6) stop(sprintf("raked weights differ from the exported weights (relative gap %g)", gap))
} else {
  base <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = data, nest = TRUE)
  design <- base
}

## -- answers: 1-5, the missing codes and blanks left out -----------------------------------------
answers <- function(item) {
  x <- suppressWarnings(as.numeric(data[[item]]))
  x[x %in% missing_codes | !(x %in% 1:5)] <- NA
  x
}
scored <- unique(c(unlist(factors, use.names = FALSE), items))
scored <- scored[scored %in% names(data)]
values <- lapply(setNames(scored, scored), answers)

usable <- Filter(function(members) all(members %in% scored), factors)
ratio <- function(statistic, item) sprintf("`%s.%s` / `seen.%s`", statistic, item, item)
mean_of <- function(terms) sprintf("(%s) / %d", paste(terms, collapse = " + "), length(terms))
expressions <- function(statistic) {
  criteria <- setNames(lapply(scored, function(item) ratio(statistic, item)), scored)
  found <- criteria
  per_factor <- lapply(usable, function(members) mean_of(unlist(criteria[members])))
  if (length(per_factor) > 0) {
    found <- c(found, per_factor)
    found[["overall"]] <- mean_of(sprintf("(%s)", unlist(per_factor)))
  }
  lapply(found, function(text) parse(text = text)[[1]])
}
members_of <- function(variable) {
  if (variable == "overall") return(unique(unlist(usable, use.names = FALSE)))
  if (variable %in% names(usable)) return(usable[[variable]])
  variable
}

contrasts <- list(sat = expressions("sat"), score = expressions("score"))

logit_interval <- function(p, se, df) {
  if (!is.finite(p) || p <= 0 || p >= 1) return(c(p, p))
  half <- qt(0.5 + level / 2, df) * se / (p * (1 - p))
  plogis(qlogis(p) + c(-half, half))
}

unit_figures <- function(unit) {
  inside <- data$unit_code == unit
  columns <- list()
  for (item in scored) {
    seen <- inside & !is.na(values[[item]])
    columns[[paste0("sat.", item)]] <- ifelse(seen, values[[item]] >= 4, 0)
    columns[[paste0("score.", item)]] <- ifelse(seen, values[[item]], 0)
    columns[[paste0("seen.", item)]] <- as.numeric(seen)
  }
  local <- design
  local$variables <- cbind(design$variables, as.data.frame(columns, check.names = FALSE))
  totals <- svytotal(reformulate(sprintf("`%s`", names(columns))), local)
  df <- max(degf(subset(base, inside)), 1)
  out <- list()
  for (statistic in c("sat", "score")) {
    found <- svycontrast(totals, contrasts[[statistic]])
    estimate <- unname(coef(found))
    se <- unname(SE(found))
    variables <- names(coef(found))
    n <- sapply(variables, function(v) sum(inside & Reduce(`|`, lapply(members_of(v), function(i) !is.na(values[[i]])))))
    if (statistic == "sat") {
      bounds <- mapply(logit_interval, estimate, se, MoreArgs = list(df = df))
    } else {
      bounds <- rbind(estimate - qt(0.5 + level / 2, df) * se, estimate + qt(0.5 + level / 2, df) * se)
    }
    out[[statistic]] <- data.frame(
      unit_code = unit, statistic = if (statistic == "sat") "pct_satisfied" else "mean_score",
      variable = variables, estimate = estimate, se = se, ci_low = bounds[1, ], ci_high = bounds[2, ],
      df = df, n = unname(n))
  }
  do.call(rbind, out)
}

figures <- do.call(rbind, lapply(sort(unique(data$unit_code)), unit_figures))
rownames(figures) <- NULL
write.csv(figures, output_file, row.names = FALSE, fileEncoding = "UTF-8")
shares <- figures[figures$statistic == "pct_satisfied" & figures$variable %in% c("overall", names(factors)), ]
print(format(shares, digits = 4), row.names = FALSE)
cat(sprintf("\n%d figures written to %s\n", nrow(figures), output_file))
