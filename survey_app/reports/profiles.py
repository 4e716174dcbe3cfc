"""One unit's profile page (*trang hồ sơ đơn vị*): its survey results against its level's
average, its self-assessed against appraised points per field, where it lost points, and a few
of its respondents' suggestions, verbatim.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.models import (Campaign, CampaignUnit, Questionnaire, Score, ScoringMethod, SelfAssessment,
                               Submission)

SUGGESTIONS_SHOWN = 5
LOSSES_SHOWN = 5
WEAKEST_SHOWN = 3


def _field_of(node):
    while node.parent is not None:
        node = node.parent
    return node


def _totals(assessment: SelfAssessment) -> tuple[dict, list]:
    """Points per field ``{code: {field, self, appraised}}`` and every self-assessed score."""
    fields: dict[str, dict] = {}
    scores = []
    for score in assessment.scores:
        top = _field_of(score.node)
        row = fields.setdefault(top.code, {"field": top, "self": 0.0, "appraised": None})
        row["self"] += float(score.self_points or 0)
        if score.appraised_points is not None:
            row["appraised"] = (row["appraised"] or 0.0) + float(score.appraised_points)
        if score.node.method is ScoringMethod.SELF_ASSESSED:
            scores.append(score)
    return fields, scores


def field_totals_by_unit(campaign: Campaign, units: list[CampaignUnit]) -> dict[int, tuple]:
    """``{unit id: (fields, scores)}`` for every unit with a self-assessment."""
    rows = db.session.scalars(
        select(SelfAssessment).where(SelfAssessment.campaign_id == campaign.id)
        .options(selectinload(SelfAssessment.scores).selectinload(Score.node)))
    return {a.unit_id: _totals(a) for a in rows}


def _field_rows(report, cu: CampaignUnit) -> list[dict]:
    """Each field: maximum, self-assessed, appraised, and the level's average self-assessed."""
    fields, _ = report.field_totals.get(cu.unit_id, ({}, []))
    peers = [report.field_totals[u.unit_id][0] for u in report.all_units
             if u.framework_level == cu.framework_level and u.unit_id in report.field_totals]
    rows = []
    for code, row in sorted(fields.items(), key=lambda item: item[1]["field"].position):
        values = [p[code]["self"] for p in peers if code in p]
        rows.append({**row, "name": row["field"].name(report.locale),
                     "max": float(row["field"].max_points),
                     "average": sum(values) / len(values) if values else None})
    return rows


def _losses(report, cu: CampaignUnit) -> list[dict]:
    """The self-assessed sub-criteria with most points lost (appraised if known, else self)."""
    _, scores = report.field_totals.get(cu.unit_id, ({}, []))
    rows = []
    for score in scores:
        kept = score.appraised_points if score.appraised_points is not None else score.self_points
        lost = float(score.node.max_points) - float(kept or 0)
        if lost > 0:
            rows.append({"code": score.node.code, "name": score.node.name(report.locale),
                         "max": float(score.node.max_points), "kept": float(kept or 0), "lost": lost})
    return sorted(rows, key=lambda r: (-r["lost"], r["code"]))[:LOSSES_SHOWN]


def suggestions(campaign: Campaign, unit_id: int) -> list[str]:
    """The unit's latest non-empty ``suggestion`` answers to the satisfaction questionnaire,
    as the respondents wrote them."""
    form = campaign.framework.settings["satisfaction"]["questionnaire"]
    text = Submission.answers["suggestion"].as_string()
    rows = db.session.scalars(
        select(text).join(Questionnaire, Questionnaire.id == Submission.questionnaire_id).where(
            Submission.campaign_id == campaign.id, Submission.unit_id == unit_id, Questionnaire.form_id == form,
            text.is_not(None), text != "").order_by(Submission.id.desc()).limit(SUGGESTIONS_SHOWN))
    return [r for r in rows if r.strip()]


def _survey_rows(report, cu: CampaignUnit) -> list[dict]:
    code, average = cu.unit.code, report.averages.get(cu.framework_level, {})
    rows = [{"code": "overall", "name": None, "estimate": report.estimate(code, "overall"),
             "average": average.get("overall"), "criteria": []}]
    for factor in report.factors:
        criteria = [{"code": v, "name": label, "estimate": report.estimate(code, v),
                     "average": average.get(v)} for v, label in factor.criteria]
        rows.append({"code": factor.code, "name": factor.name, "criteria": criteria,
                     "estimate": report.estimate(code, factor.code), "average": average.get(factor.code)})
    return rows


def _weakest(survey: list[dict]) -> list[dict]:
    """The unit's criteria with the lowest share satisfied: where satisfaction is lost."""
    criteria = [c for row in survey for c in row["criteria"] if c["estimate"]]
    return sorted(criteria, key=lambda c: c["estimate"].estimate)[:WEAKEST_SHOWN]


def unit_profile(report, cu: CampaignUnit) -> dict:
    survey = _survey_rows(report, cu)
    return {"unit": cu.unit, "level": cu.framework_level, "survey": survey, "weakest": _weakest(survey),
            "fields": _field_rows(report, cu), "losses": _losses(report, cu),
            "suggestions": suggestions(report.campaign, cu.unit_id)}
