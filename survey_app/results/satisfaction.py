"""The published satisfaction results (*mức độ hài lòng*) per unit and SIPAS factor, with their
intervals: the stored % satisfied of the publication's analysis run, never recomputed."""
from __future__ import annotations

from survey_app.results.runs import run_estimates

PCT = "pct_satisfied"
OVERALL = "overall"


def factor_columns(campaign, locale: str) -> list[tuple[str, str]]:
    """``(variable, label)``: overall first, then each factor of the framework."""
    from survey_app.reports.data import factors
    return [(f.code, f.name) for f in factors(campaign, locale)]


def satisfaction_rows(index, locale: str) -> dict:
    """``{"columns": [(variable, label)], "levels": {level: [{"unit", "cells": {variable: est}}]}}``
    for the units of ``index`` (a published index), in their ranked order."""
    estimates = run_estimates(index.run, PCT)
    if not estimates or "satisfaction" not in (index.campaign.framework.settings or {}):
        return {"columns": [], "levels": {}}
    columns = factor_columns(index.campaign, locale)
    variables = [OVERALL] + [code for code, _ in columns]
    levels = {}
    for level in index.levels:
        levels[level] = [{"unit": u, "cells": {v: estimates.get((u.code, PCT, v)) for v in variables}}
                         for u in index.level(level)]
    return {"columns": columns, "levels": levels}
