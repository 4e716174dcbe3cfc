"""Weights of an analysis table: base weights from the sample design, raked per unit to the
unit's adult population by sex and by age group (*dân số theo giới tính, nhóm tuổi*).

Raking within units uses two margins, ``unit × sex`` and ``unit × age group``. A unit whose
respondents miss a sex or an age group has that margin collapsed to the unit's total (reported
in the diagnostics), so raking never meets an empty cell. Departments serve the whole province:
their targets are the province's population: its own figures for the year when stored (a
two-tier province has no districts to add up), else the sum of its districts.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select

from analysis import SurveyDesign, base_weights, rake, weight_summary
from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, UnitPopulation


def unit_populations(campaign: Campaign) -> dict[str, dict[tuple[str, str], float]]:
    """``{unit code: {(sex, age group): adults}}`` for the campaign's units in its year."""
    rows = db.session.execute(
        select(AdminUnit.code, AdminUnit.level_id, UnitPopulation.sex, UnitPopulation.age_group,
               UnitPopulation.count).join(UnitPopulation).where(UnitPopulation.year == campaign.year))
    found: dict[str, dict] = {}
    for code, _, sex, age, count in rows:
        found.setdefault(code, {})[(sex, age)] = float(count)
    province: dict[tuple[str, str], float] = dict(found.get(campaign.province.code, {}))
    for cu in campaign.units if not province else ():
        if cu.framework_level == "district":
            for group, n in found.get(cu.unit.code, {}).items():
                province[group] = province.get(group, 0.0) + n
    for cu in campaign.units:
        if cu.framework_level == "department":
            found[cu.unit.code] = province
    return found


def _margin(data: pd.DataFrame, column: str, populations, collapsed: list) -> tuple[pd.Series, dict]:
    """Codes ``unit|level`` (or ``unit|all`` for a collapsed unit) and their population totals."""
    position = 0 if column == "sex" else 1
    units, values = data["unit_code"], data[column]
    present = pd.DataFrame({"unit": units, "level": values}).drop_duplicates().groupby("unit")["level"].agg(set)
    targets, whole = {}, []
    for unit, found in present.items():
        population = populations[unit]
        levels = sorted({g[position] for g in population})
        if found >= set(levels):
            for level in levels:
                targets[f"{unit}|{level}"] = sum(n for g, n in population.items() if g[position] == level)
        else:
            collapsed.append({"unit": unit, "margin": column})
            whole.append(unit)
            targets[f"{unit}|all"] = sum(population.values())
    codes = units + "|" + values
    if whole:
        codes = codes.where(~units.isin(whole), units + "|all")
    return codes, targets


#: The raking margins: column of the raking cell → the answer it crosses with the unit.
MARGINS = {"unit_sex": "sex", "unit_age": "age_group"}


def raking_margins(data: pd.DataFrame, campaign: Campaign) -> tuple[pd.DataFrame, dict, list]:
    """``data`` with its base weight and raking cells (``unit_sex``, ``unit_age``: ``unit|level``,
    or ``unit|all`` for a collapsed margin), the population total of every cell
    (``{margin: {cell: adults}}``, the targets of :func:`weighted_design`, also written beside
    the exports) and the collapsed margins."""
    populations = unit_populations(campaign)
    missing = sorted(set(data["unit_code"]) - set(populations))
    if missing:
        raise ValueError(f"no population for units {', '.join(missing)}")
    frame = data.copy()
    frame["base_weight"] = base_weights(frame["selection_probability"].to_numpy(dtype=float))
    collapsed: list = []
    targets = {}
    for margin, column in MARGINS.items():
        frame[margin], targets[margin] = _margin(frame, column, populations, collapsed)
    return frame, targets, collapsed


def weighted_design(data: pd.DataFrame, campaign: Campaign) -> tuple[SurveyDesign, dict]:
    """The raked design (strata = units, PSUs = villages, with replacement) and its diagnostics."""
    frame, targets, collapsed = raking_margins(data, campaign)
    design = SurveyDesign(frame, weights="base_weight", strata="stratum", clusters="psu")
    raked = rake(design, targets)
    summary = {k: float(v) for k, v in weight_summary(np.asarray(raked.weights)).items()}
    return raked, {"method": "rake", "margins": ["unit × sex", "unit × age group"],
                   "design": "strata = units, PSUs = villages, with replacement (no fpc)",
                   "collapsed": collapsed, "summary": summary,
                   "modes": mode_weights(frame.get("mode"), np.asarray(raked.weights, dtype=float))}


def mode_weights(modes: pd.Series | None, weights: np.ndarray) -> dict[str, dict[str, float]]:
    """Per collection mode (interview, self-completed): respondents and their summed weight,
    kept with the run so that the modes' shares of the estimate can be read back (none for a
    table without the mode, e.g. the exports' weights)."""
    if modes is None:
        return {}
    frame = pd.DataFrame({"mode": modes.to_numpy(), "weight": weights})
    return {str(mode): {"respondents": int(len(rows)), "weight": float(rows["weight"].sum())}
            for mode, rows in frame.groupby("mode")}
