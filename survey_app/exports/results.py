"""Results tables as XLSX: every estimate of the run that counts (the publication's, else the
latest) with its standard error, interval, degrees of freedom, design effect and n; the PAR Index
per unit with its interval, rank interval and class, and its points per field; and the run's
parameters and the publication, so a table can be traced to its run and decision.
"""
from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from survey_app import queries
from survey_app.exports.cells import xlsx_row
from survey_app.extensions import db
from survey_app.models import AnalysisEstimate, Campaign
from survey_app.reports.data import factors, question_labels
from survey_app.results import official
from survey_app.results.points import field_rows

ESTIMATE_HEADER = ["unit_code", "unit", "level", "statistic", "variable", "label", "estimate", "se",
                   "ci_low", "ci_high", "df", "deff", "n"]
INDEX_HEADER = ["level", "rank", "unit_code", "unit", "points", "max_points", "se", "ci_low", "ci_high",
                "rank_low", "rank_high", "units_in_level", "class", "class_low", "class_high", "bonus",
                "penalty"]
FIELD_HEADER = ["level", "unit_code", "unit", "field", "field_name", "max_points", "self_assessed",
                "appraised", "points"]


def _variable_labels(campaign: Campaign, locale: str) -> dict[str, str]:
    settings = campaign.framework.settings["satisfaction"]
    found = question_labels(campaign, settings["questionnaire"], locale)
    found.update({f.code: f.name for f in factors(campaign, locale)})
    return found


def estimate_rows(campaign: Campaign, locale: str):
    run = official.counted_run(campaign)
    if run is None:
        return
    units = {cu.unit.code: cu for cu in queries.campaign_units(campaign)}
    labels = _variable_labels(campaign, locale)
    for e in db.session.scalars(select(AnalysisEstimate).where(AnalysisEstimate.run_id == run.id)
                                .order_by(AnalysisEstimate.id)):
        cu = units.get(e.unit_code)
        yield [e.unit_code, cu.unit.name if cu else None, cu.framework_level if cu else None, e.statistic,
               e.variable, labels.get(e.variable, ""), e.estimate, e.se, e.ci_low, e.ci_high, e.df, e.deff, e.n]


def index_rows(index):
    for u in index.units:
        low, high = u.grade_range or (None, None)
        yield [u.level, u.rank, u.code, u.name, u.total, u.max_points, u.se, u.ci_low, u.ci_high,
               u.rank_low, u.rank_high, u.units_in_level, u.grade, low, high, u.bonus, u.penalty]


def field_lines(index):
    """Each unit's points per field (bonus added, penalty subtracted), as every page shows them."""
    for u in index.units:
        for row in field_rows(u):
            yield [u.level, u.code, u.name, row["code"], row["name"], row["max"], row["self"],
                   row["appraised"], row["points"]]


def write_results_xlsx(campaign: Campaign, target: Path, locale: str = "vi", progress=None) -> Path:
    """Sheets ``estimates``, ``index``, ``fields`` and ``run``, written row by row."""
    workbook = Workbook(write_only=True)
    index = official.campaign_index(campaign, locale=locale)
    for title, head, lines in (("estimates", ESTIMATE_HEADER, estimate_rows(campaign, locale)),
                               ("index", INDEX_HEADER, index_rows(index)),
                               ("fields", FIELD_HEADER, field_lines(index))):
        sheet = workbook.create_sheet(title)
        xlsx_row(sheet, head)
        for line in lines or []:
            xlsx_row(sheet, line)
    run = official.counted_run(campaign)
    sheet = workbook.create_sheet("run")
    if run is not None:
        for key in ("number", "created_at", "software_version", "input_fingerprint", "respondents"):
            value = getattr(run, key)
            xlsx_row(sheet, [key, value.isoformat() if hasattr(value, "isoformat") else value])
        for key in ("parameters", "exclusions", "weighting"):
            xlsx_row(sheet, [key, json.dumps(getattr(run, key), ensure_ascii=False)])
    if index.publication is not None:
        xlsx_row(sheet, ["publication_version", index.publication.version])
        xlsx_row(sheet, ["decision_number", index.publication.decision_number])
        xlsx_row(sheet, ["decision_date", index.publication.decision_date.isoformat()])
    workbook.save(target)
    return Path(target)
