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
