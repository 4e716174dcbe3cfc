"""When self-assessment and appraisal are open, in one place so every route asks the same way.

The cycle (*quy trình*): the unit self-assesses (draft → submitted) until the deadline; the
council opens appraisal round 1 (*thẩm định lần 1*); the round goes to the units for their reply
(*giải trình*, evidence may be added); round 2; closing round 2 is final and locks every score.
"""
from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import select

from survey_app import clock
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import (AppraisalRound, AssessmentStatus, Campaign, CampaignStatus,
                               RoundStatus, SelfAssessment)

FINAL_ROUND = 2
#: Units self-assess in these campaign statuses (until the deadline or appraisal round 1).
SCORING_STATUSES = (CampaignStatus.SELF_ASSESSMENT, CampaignStatus.APPRAISAL)


def today() -> date:
    return clock.today()


def current_round(campaign: Campaign) -> AppraisalRound | None:
    return db.session.scalar(select(AppraisalRound).where(AppraisalRound.campaign_id == campaign.id)
                             .order_by(AppraisalRound.number.desc()).limit(1))


def past_deadline(campaign: Campaign) -> bool:
    deadline = campaign.self_assessment_deadline
    return deadline is not None and today() > deadline


def self_lock_reason(campaign: Campaign, assessment: SelfAssessment | None) -> str | None:
    """Why the unit can no longer change its self-assessed points (None: it can).

    A self-assessment reopened with a reason stays open until its date, whatever the deadline
    and the rounds (:func:`survey_app.campaigns.changes.reopen`)."""
    if (assessment is not None and assessment.status is AssessmentStatus.DRAFT
            and assessment.reopened_until is not None and today() <= assessment.reopened_until
            and campaign.status in SCORING_STATUSES):
        return None
    if assessment is not None and assessment.status is not AssessmentStatus.DRAFT:
        return _("The self-assessment has been submitted; its points are locked.")
    if past_deadline(campaign):
        return _("The self-assessment deadline has passed; the points are locked.")
    if campaign.status is CampaignStatus.DRAFT:
        return _("Self-assessment has not opened yet.")
    if current_round(campaign) is not None or campaign.status not in SCORING_STATUSES:
        return _("Appraisal has started; the self-assessed points are locked.")
    return None


def appraisal_round(campaign: Campaign, assessment: SelfAssessment | None) -> AppraisalRound | None:
    """The open round in which this assessment can be appraised, or None."""
    found = current_round(campaign)
    if found is None or found.status is not RoundStatus.OPEN:
        return None
    if assessment is None or assessment.status is not AssessmentStatus.SUBMITTED:
        return None
    from survey_app.campaigns.council import signed_off
    if signed_off(campaign, assessment.unit_id):
        return None
    return found


def reply_round(campaign: Campaign, assessment: SelfAssessment | None) -> AppraisalRound | None:
    """The round waiting for the unit's reply, or None."""
    found = current_round(campaign)
    if found is None or found.status is not RoundStatus.UNIT_REPLY:
        return None
    if assessment is None or assessment.status is not AssessmentStatus.SUBMITTED:
        return None
    return found


def refuse(message: str):
    """409 Conflict with the reason in the reader's language: the request came too late."""
    abort(409, description=message)


def next_step(campaign: Campaign) -> str | None:
    """The council's next step: open_1 | reply | open_2 | close | None (final)."""
    found = current_round(campaign)
    if found is None:
        return "open_1" if campaign.status is CampaignStatus.APPRAISAL else None
    if found.status is RoundStatus.OPEN:
        return "reply" if found.number < FINAL_ROUND else "close"
    if found.status is RoundStatus.UNIT_REPLY:
        return "open_2"
    return None
