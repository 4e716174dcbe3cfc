"""An index as a JSON document and back: what a publication keeps, and how it is read again.

:func:`document` is the API's shape with every sub-criterion (``index compute --json``) plus
the classes and levels; :func:`index_from` rebuilds the :class:`CampaignIndex` the pages,
planner and report use, so a published figure is shown exactly as it was frozen.
"""
from __future__ import annotations

from survey_app.index.build import CampaignIndex
from survey_app.index.conversion import Indicator
from survey_app.index.export import campaign_json
from survey_app.index.model import LeafInput, UnitIndex


def document(index) -> dict:
    """The whole index, every sub-criterion included, JSON-ready."""
    out = campaign_json(index, leaves=True)
    out.pop("publication", None)
    out["classes"], out["levels"] = index.classes, index.levels
    return out


def _leaf(row: dict) -> LeafInput:
    found = row.get("indicator")
    indicator = None if not found else Indicator(found["statistic"], found["variable"], found["estimate"],
                                                 found["se"], found["n"])
    return LeafInput(code=row["code"], field_code=row["field"], method=row["method"],
                     max_points=row["max_points"], name=row.get("name") or "", points=row["points"],
                     source=row["source"], indicator=indicator, points_se=row.get("points_se") or 0.0,
                     self_points=row.get("self_points"), reason=row.get("no_result_reason") or "")


def _unit(row: dict) -> UnitIndex:
    fields = [(f["code"], f["name"], f["max_points"]) for f in row["fields"]]
    leaves = [_leaf(x) for x in row.get("sub_criteria", [])]
    regular = sum(leaf.counted for leaf in leaves if leaf.method in ("self_assessed", "survey"))
    return UnitIndex(
        code=row["code"], name=row["name"], level=row["level"], max_points=row["max_points"],
        leaves=leaves, field_points={f["code"]: f["points"] for f in row["fields"]}, regular=regular,
        bonus=row["bonus"], penalty=row["penalty"], total=row["total"], se=row["se"],
        ci_low=row["ci"][0], ci_high=row["ci"][1], rank=row["rank"], rank_low=row["rank_interval"][0],
        rank_high=row["rank_interval"][1], units_in_level=row["units_in_level"], grade=row["class"],
        grade_range=tuple(row["class_interval"]) or None, rescaled=row["rescaled"],
        pending_survey_points=row["pending_survey_points"], pending_appraisal=row["pending_appraisal"],
        fields=fields)


def index_from(doc: dict, campaign, run=None, publication=None) -> CampaignIndex:
    """The frozen index of ``doc`` as the pages read it."""
    units = [_unit(row) for row in doc["units"]]
    found = CampaignIndex(campaign=campaign, units=units, run=run, classes=doc.get("classes", []),
                          levels=doc.get("levels") or sorted({u.level for u in units}),
                          has_survey=doc["has_survey"], draws=doc["simulation"]["draws"],
                          seed=doc["simulation"]["seed"], by_code={u.code: u for u in units})
    found.publication = publication
    return found
