"""The demo's 2024 campaign ends the year published: analysed, then frozen under a decision of
the Provincial People's Committee (*quyết định công bố*), as a province's real year does.

The demo's publication keeps no report PDF: rendering the 54 units' report takes a minute,
which the demo loader should not. ``flask --app wsgi campaign publish`` (and the analysts'
page) always render it and keep its SHA-256.
"""
from __future__ import annotations

from datetime import date

DECISION_NUMBER = "512/QĐ-UBND"
DECISION_DATE = date(2025, 3, 28)
SIGNER = "Chủ tịch UBND tỉnh Hà Nam"


def close_appraisal(campaign) -> None:
    """The demo's council kept the self-assessed points: both appraisal rounds closed, every
    score locked, fieldwork over (the state in which results can be published)."""
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import (AppraisalRound, AssessmentStatus, CampaignStatus, RoundStatus,
                                   SelfAssessment)
    from survey_app.models.base import utcnow
    from survey_app.units.state import FINAL_ROUND
    for number in range(1, FINAL_ROUND + 1):
        db.session.add(AppraisalRound(campaign_id=campaign.id, number=number, status=RoundStatus.CLOSED,
                                      closed_at=utcnow()))
    for assessment in db.session.scalars(select(SelfAssessment).where(SelfAssessment.campaign_id == campaign.id)):
        assessment.status = AssessmentStatus.LOCKED
    campaign.status = CampaignStatus.ANALYSIS
    db.session.commit()


def publish_demo(campaign) -> bool:
    """Close the campaign's appraisal, analyse its survey and publish its results as version 1.

    With another seed than the shipped one the raking may not converge on some unit's draw; the
    demo is then left unpublished, in analysis (False), rather than not loaded at all.
    """
    from flask import current_app

    from analysis.errors import SurveyError
    from survey_app.campaigns.publication import publish
    from survey_app.extensions import db
    from survey_app.survey_analysis.run import analyse
    close_appraisal(campaign)
    try:
        analyse(campaign)
    except SurveyError as exc:
        db.session.rollback()
        current_app.logger.warning("demo left unpublished: the analysis failed (%s)", exc)
        return False
    publish(campaign, DECISION_NUMBER, DECISION_DATE, SIGNER, render_report=False)
    return True
