"""Scripts that recompute the published figures from the exported files (*tái lập kết quả*):
``analysis.R`` (R ``survey``: ``svydesign``, ``calibrate`` to the raking targets, ``svytotal`` and
``svycontrast`` per unit) and ``analysis.do`` (Stata ``svyset`` with ``rake()``, ``svy:
proportion`` and ``svy: ratio``), written beside the data in the export package.

What they compute is read from the campaign: the framework's SIPAS factors and criteria, its
single scored items and its missing codes (:func:`~survey_app.survey_analysis.run.scoring_rule`,
:func:`~survey_app.survey_analysis.run.framework_items`), so the scripts follow the framework
file. The statistics are the R body of ``templates/analysis.R`` (one file, read here) and the
Stata commands written below.
"""
from __future__ import annotations

from pathlib import Path

from survey_app.survey_analysis.run import framework_items, scoring_rule, software_version
from survey_app.survey_analysis.staff import framework_questionnaires

TEMPLATES = Path(__file__).parent / "templates"
DATA_CSV, DATA_DTA, DESIGN_CSV, CODEBOOK_CSV = "data.csv", "data.dta", "design.csv", "codebook.csv"
R_OUTPUT, STATA_OUTPUT = "figures_r.csv", "figures_stata.csv"


def scored(campaign, form_id: str) -> tuple[dict[str, list[str]], list[str], list[float]]:
    """(factors → criteria, single scored items, missing codes) of ``form_id`` as the analysis
    scores them: the SIPAS factors for the citizens' form, the framework's items for any form."""
    if "satisfaction" not in (campaign.framework.settings or {}):
        return {}, [], [9.0]
    rule = scoring_rule(campaign)
    factors = rule["factors"] if form_id == rule["questionnaire"] else {}
    criteria = {c for members in factors.values() for c in members}
    items = framework_items(campaign, form_id, criteria) if form_id in framework_questionnaires(campaign) else []
    return factors, items, rule["missing_codes"]


def _r_vector(values) -> str:
    return "c(" + ", ".join(f'"{v}"' if isinstance(v, str) else f"{v:g}" for v in values) + ")"


def r_script(campaign, form_id: str) -> str:
    """``analysis.R`` for the export of ``form_id``: parameters, then the template's body."""
    factors, items, missing = scored(campaign, form_id)
    listed = ",\n  ".join(f"{code} = {_r_vector(members)}" for code, members in factors.items())
    header = f"""## analysis.R: the published satisfaction figures of {campaign.code}, recomputed from the export.
## Written by {software_version()} for the questionnaire {form_id}.
## Run in the folder of the export:  Rscript analysis.R
## Needs R and its package survey (Debian: apt-get install r-cran-survey; else install.packages("survey")).
## Reads {DATA_CSV} (answers as codes) and {DESIGN_CSV}; writes {R_OUTPUT}: per unit, the % satisfied
## (statistic pct_satisfied, a share 0-1) and mean score of every criterion, factor and overall, with
## standard error, 95% interval, degrees of freedom and n, to compare with the publication.

data_file <- "{DATA_CSV}"
design_file <- "{DESIGN_CSV}"
output_file <- "{R_OUTPUT}"
level <- 0.95
missing_codes <- {_r_vector(missing)}
factors <- list(
  {listed}
)
items <- {_r_vector(items) if items else "character(0)"}

"""
    return header + (TEMPLATES / "analysis.R").read_text(encoding="utf-8")


def _stata_cells(cells: list[tuple]) -> tuple[list[str], list[str], list[str]]:
    """``replace`` lines numbering each raking cell of ``design.csv`` rows, their population and
    the name of each cell's column (``3.rake_sex``) for the totals matrix."""
    lines, totals, names, numbers = [], [], [], {}
    for unit, _, _, margin, column, code, file_code, _, population in cells:
        target = "rake_sex" if margin == "unit_sex" else "rake_age"
        numbers[target] = numbers.get(target, 0) + 1
        condition = f'unit_code == "{unit}"' + ("" if code == "*" else f" & {column} == {file_code}")
        lines.append(f"replace {target} = {numbers[target]} if {condition}")
        totals.append(f"{population:.10g}")
        names.append(f"{numbers[target]}.{target}")
    return lines, totals, names


def _lincom(members: list[str]) -> str:
    return "(" + " + ".join(f"_b[{m}]" for m in members) + f") / {len(members)}"


def _stata_estimates(factors: dict, items: list[str]) -> list[str]:
    """Per unit, both statistics of every criterion (``svy: ratio``), factor and overall (``lincom``)."""
    criteria = list(dict.fromkeys([c for members in factors.values() for c in members] + items))
    lines = ["levelsof unit_code, local(units)", "foreach u of local units {",
             "    foreach statistic in pct_satisfied mean_score {",
             '        local top = cond("`statistic\'" == "pct_satisfied", "sat", "score")',
             "        capture quietly svy, subpop(if unit_code == \"`u'\"): ratio ///"]
    lines += [f"            ({c}: `top'_{c} / seen_{c}) ///" for c in criteria]
    lines += ["            ", "        if _rc != 0 continue"]
    for c in criteria:
        lines.append(f'        post results ("`u\'") ("`statistic\'") ("{c}") (_b[{c}]) (_se[{c}])')
    overall = []
    for code, members in factors.items():
        lines += [f"        quietly lincom {_lincom(members)}",
                  f'        post results ("`u\'") ("`statistic\'") ("{code}") (r(estimate)) (r(se))']
        overall.append(_lincom(members))
    if overall:
        lines += [f"        quietly lincom ({' + '.join(overall)}) / {len(overall)}",
                  '        post results ("`u\'") ("`statistic\'") ("overall") (r(estimate)) (r(se))']
    lines += ["    }"]
    if criteria:
        lines += ["    * Stata's own interval for one criterion's share (logit, on the design's df):",
                  f"    svy, subpop(if unit_code == \"`u'\"): proportion satisfied_{criteria[0]}"]
    return lines + ["}"]


def stata_script(campaign, form_id: str, design_rows) -> str:
    """``analysis.do`` for the ``.dta`` export of ``form_id``, with the raking cells of
    ``design_rows`` (:func:`~survey_app.exports.design_sheet.design_rows`, header first)."""
    factors, items, missing = scored(campaign, form_id)
    criteria = list(dict.fromkeys([c for members in factors.values() for c in members] + items))
    cells = [row for row in list(design_rows)[1:] if row[3]]
    replaces, totals, names = _stata_cells(cells)
    lines = [f"* analysis.do: the published satisfaction figures of {campaign.code}, recomputed from the export.",
             f"* Written by {software_version()} for the questionnaire {form_id}; needs Stata 15 or later.",
             f"* Run in the folder of the export:  do analysis.do   Reads {DATA_DTA}; writes {STATA_OUTPUT}.",
             "* Design: strata = stratum, PSUs = psu (villages), weights = base_weight, with replacement",
             "* (no fpc), raked within each unit to its adults by sex and age group (the targets of",
             f"* {DESIGN_CSV}); a share satisfied counts answers 4-5 among answers 1-5 (the don't-know",
             f"* codes {', '.join(f'{m:g}' for m in missing)} are extended missing values .a, .b … in {DATA_DTA}).",
             "* A factor is the mean of its criteria, overall the mean of the factors (lincom).",
             "* Intervals here use the design's degrees of freedom; the publication uses each unit's.",
             "version 15", "clear all", "set more off", f'use "{DATA_DTA}", clear', "keep if analysed == 1", ""]
    if cells:
        lines += ["generate long rake_sex = .", "generate long rake_age = ."] + replaces + [
            f"matrix totals = ({', '.join(totals)})", f"matrix colnames totals = {' '.join(names)}",
            "svyset psu [pweight = base_weight], strata(stratum) vce(linearized) singleunit(missing) ///",
            "    rake(ibn.rake_sex ibn.rake_age, totals(totals) noconstant)",
            "* Without rake() (the weights taken as fixed): svyset psu [pweight = weight], strata(stratum)"]
    else:
        lines += ["svyset psu [pweight = weight], strata(stratum) vce(linearized) singleunit(missing)"]
    for c in criteria:
        lines += [f"generate byte seen_{c} = inrange({c}, 1, 5)",
                  f"generate byte sat_{c} = inrange({c}, 4, 5)",
                  f"generate double score_{c} = cond(seen_{c}, {c}, 0)",
                  f"generate byte satisfied_{c} = inrange({c}, 4, 5) if seen_{c}"]
    lines += ["", "postfile results str32 unit_code str16 statistic str32 variable double(estimate se) ///",
              '    using "figures_stata.dta", replace'] + _stata_estimates(factors, items) + [
        "postclose results", 'use "figures_stata.dta", clear', f'export delimited using "{STATA_OUTPUT}", replace']
    return "\n".join(lines) + "\n"
