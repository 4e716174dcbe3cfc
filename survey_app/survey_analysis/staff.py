"""The staff and leaders' questionnaire (*phiếu cán bộ, công chức*) in an analysis run.

Staff are asked within their own unit, so each unit is a stratum and each respondent its own
PSU with weight 1 (a simple random sample of the unit's staff, with-replacement variance: no
staff counts are held to build weights or a finite-population correction). Only the items the
framework scores are estimated.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from analysis import SurveyDesign
from survey_app.extensions import db
from survey_app.models import Campaign, Questionnaire
from survey_app.survey_analysis import exclusions
from survey_app.survey_analysis.table import read_kept

DESIGN = "strata = units, PSUs = respondents, equal weights, with replacement"


def framework_questionnaires(campaign: Campaign) -> set[str]:
    """The form ids the campaign's framework scores (``survey: {questionnaire: ...}``)."""
    return {(node.survey or {}).get("questionnaire") for node in campaign.framework.nodes if node.survey} - {None}


def staff_table(campaign: Campaign, form_id: str, only=None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Answers of ``form_id`` in the campaign (those named in ``only`` when given), one row
    each, those the staff rules keep (:data:`~survey_app.survey_analysis.exclusions.STAFF_RULES`)."""
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == form_id))
    if questionnaire is None:
        return pd.DataFrame(), {}
    fixed, answers, _, excluded = read_kept(campaign, questionnaire, exclusions.STAFF_RULES,
                                            skip=("unit_code", "respondent", "weight"), only=only)
    if fixed.empty:
        return pd.DataFrame(), {f"{form_id}/{name}": count for name, count in excluded.items()}
    data = pd.DataFrame({**answers, "unit_code": fixed["unit_code"].to_numpy(),
                         "respondent": fixed["instance_uuid"].to_numpy(), "weight": 1.0})
    return data, {f"{form_id}/{name}": count for name, count in excluded.items()}


def staff_design(data: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(data, weights="weight", strata="unit_code", clusters="respondent")
