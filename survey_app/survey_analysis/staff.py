"""The staff and leaders' questionnaire (*phiếu cán bộ, công chức*) in an analysis run.

Staff are asked within their own unit, so each unit is a stratum and each respondent its own
PSU with weight 1 (a simple random sample of the unit's staff, with-replacement variance: no
staff counts are held to build weights or a finite-population correction). Only the items the
framework scores are estimated.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from analysis import SurveyDesign
from survey_app.extensions import db
from survey_app.models import Campaign, Questionnaire, Submission
from survey_app.survey_analysis import exclusions

DESIGN = "strata = units, PSUs = respondents, equal weights, with replacement"


def framework_questionnaires(campaign: Campaign) -> set[str]:
    """The form ids the campaign's framework scores (``survey: {questionnaire: ...}``)."""
    return {(node.survey or {}).get("questionnaire") for node in campaign.framework.nodes if node.survey} - {None}


def staff_table(campaign: Campaign, form_id: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Answers of ``form_id`` in the campaign, one row each, those the staff rules keep
    (:data:`~survey_app.survey_analysis.exclusions.STAFF_RULES`)."""
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == form_id))
    if questionnaire is None:
        return pd.DataFrame(), {}
    submissions = db.session.scalars(
        select(Submission).where(Submission.campaign_id == campaign.id,
                                 Submission.questionnaire_id == questionnaire.id)
        .options(selectinload(Submission.unit), selectinload(Submission.case)))
    kept, excluded = exclusions.counted(submissions, exclusions.context(campaign), exclusions.STAFF_RULES)
    rows = []
    for submission in kept:
        row = {k: v for k, v in submission.answers.items() if isinstance(v, (str, int, float))}
        row.update(unit_code=submission.unit.code, respondent=submission.instance_uuid, weight=1.0)
        rows.append(row)
    return pd.DataFrame(rows), {f"{form_id}/{name}": count for name, count in excluded.items()}


def staff_design(data: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(data, weights="weight", strata="unit_code", clusters="respondent")
