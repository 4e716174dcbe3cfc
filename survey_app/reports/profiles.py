"""One unit's profile page (*trang hồ sơ đơn vị*): its survey results against its level's
average and a few of its respondents' suggestions, verbatim. Its points per field and losses
come from the read model of results (:mod:`survey_app.reports.indexing`).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.models import Campaign, CampaignUnit, Questionnaire, Submission
from survey_app.survey_analysis import exclusions

SUGGESTIONS_SHOWN = 5
WEAKEST_SHOWN = 3


def suggestions(campaign: Campaign, unit_id: int) -> list[str]:
    """The unit's latest non-empty ``suggestion`` answers to the satisfaction questionnaire, as
    the respondents wrote them, from interviews the analysis counts (the exclusion service)."""
    satisfaction = (campaign.framework.settings or {}).get("satisfaction")
    if not satisfaction:
        return []
    form = satisfaction["questionnaire"]
    text = Submission.answers["suggestion"].as_string()
    rows = db.session.scalars(
        select(Submission).join(Questionnaire, Questionnaire.id == Submission.questionnaire_id).where(
            Submission.campaign_id == campaign.id, Submission.unit_id == unit_id, Questionnaire.form_id == form,
            text.is_not(None), text != "").order_by(Submission.id.desc())
        .options(selectinload(Submission.case)))
    kept, _ = exclusions.counted(rows, exclusions.context(campaign))
    quotes = [str(s.answers["suggestion"]) for s in kept if str(s.answers["suggestion"]).strip()]
    return quotes[:SUGGESTIONS_SHOWN]


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
            "suggestions": suggestions(report.campaign, cu.unit_id)}
