"""The design sheet (*thông tin thiết kế mẫu*) written beside the data: every unit with its name
and level, and the raking targets the weights were calibrated to (the population of adults of
each unit by sex and by age group, :func:`~survey_app.survey_analysis.weights.raking_margins`),
so R, Stata or SPSS can rebuild the weights and their variance from the exported file alone.

One row per raking cell: the unit, the margin (``unit_sex``, ``unit_age``), the exported column
it crosses with the unit (``sex``, ``age_group``), the answer code as CSV and XLSX store it and as
``.sav``/``.dta`` store it (the codebook's codes), its label, and the population. A margin
collapsed to the unit's whole population (no respondent in one of its levels) has code ``*``.
A unit without raking (the staff questionnaire) has one row with the margin left empty.
"""
from __future__ import annotations

from survey_app.exports.codebook import Variable
from survey_app.exports.design import DesignWeights
from survey_app.survey_analysis.exclusions import SEX_NAMES
from survey_app.survey_analysis.weights import MARGINS

DESIGN_HEADER = ("unit_code", "unit_name", "level", "margin", "variable", "code", "file_code", "code_label",
                 "population")
WHOLE_UNIT = "*"
#: The raking cell's level (``male``) → the answer code it stands for (``1``).
CELL_CODES = {"sex": {name: code for code, name in SEX_NAMES.items()}}


def _cell_rows(unit: tuple, margin: str, targets: dict, variable: Variable | None):
    column = MARGINS[margin]
    codes = variable.file_codes() if variable is not None and variable.choices else {}
    for cell, population in targets.items():
        unit_code, level = cell.split("|", 1)
        if unit_code != unit[0]:
            continue
        answer = WHOLE_UNIT if level == "all" else CELL_CODES.get(column, {}).get(level, level)
        label = variable.choices.get(answer, "") if variable is not None else ""
        yield (*unit, margin, column, answer, codes.get(answer, ""), label, population)


def design_rows(campaign, weights: DesignWeights, columns: list[Variable]):
    """Rows of :data:`DESIGN_HEADER`, the header first, units in the campaign's order."""
    yield DESIGN_HEADER
    by_name = {v.name: v for v in columns}
    for link in sorted(campaign.units, key=lambda cu: (cu.framework_level, cu.unit.code)):
        unit = (link.unit.code, link.unit.name, link.framework_level)
        rows = [row for margin, targets in weights.targets.items()
                for row in _cell_rows(unit, margin, targets, by_name.get(MARGINS[margin]))]
        yield from rows or [(*unit, "", "", "", "", "", "")]
