"""Changes that need a reason (*lý do*): a deadline extended (*gia hạn*) and one unit's
self-assessment reopened (*mở lại*). Each is stored as a :class:`LifecycleChange` with its
reason and, through the audit hook, in the audit log with the values before and after."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from survey_app import queries
from survey_app.campaigns.refused import CampaignRefused, actor_id
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import (AssessmentStatus, Campaign, CampaignStatus, LifecycleChange, RoundDeadline,
                               SelfAssessment)
from survey_app.units import state

S = CampaignStatus
#: Each deadline and the statuses in which it may still be extended.
DEADLINES = {"self_assessment": (S.DRAFT, S.SELF_ASSESSMENT), "round:1": (S.DRAFT, S.SELF_ASSESSMENT, S.APPRAISAL),
             "round:2": (S.DRAFT, S.SELF_ASSESSMENT, S.APPRAISAL),
             "fieldwork": (S.DRAFT, S.SELF_ASSESSMENT, S.APPRAISAL, S.FIELDWORK)}


def deadline_label(target: str) -> str:
    if target.startswith("round:"):
        return _("Deadline of appraisal round %(number)s", number=target.split(":")[1])
    return {"self_assessment": _("Self-assessment deadline"), "fieldwork": _("End of fieldwork")}.get(target, target)


def _round_row(campaign: Campaign, number: int) -> RoundDeadline | None:
    return db.session.scalar(select(RoundDeadline).where(RoundDeadline.campaign_id == campaign.id,
                                                         RoundDeadline.number == number))


def deadline(campaign: Campaign, target: str) -> date | None:
    """The current date of a deadline (the final round falls back on the campaign's appraisal deadline)."""
    if target == "self_assessment":
        return campaign.self_assessment_deadline
    if target == "fieldwork":
        return campaign.fieldwork_end
    number = int(target.split(":")[1])
    row = _round_row(campaign, number)
    if row is not None:
        return row.due
    return campaign.appraisal_deadline if number == state.FINAL_ROUND else None


def _reason(reason: str | None, problems: list[str]) -> str:
    text = (reason or "").strip()
    if not text:
        problems.append(_("Give the reason for the change."))
    elif len(text) > 4000:
        problems.append(_("At most 4,000 characters."))
    return text


def extend_deadline(campaign: Campaign, target: str, new: date | None, reason: str | None) -> LifecycleChange:
    """Move a deadline later, with a reason; refused once its stage is over."""
    problems: list[str] = []
    text = _reason(reason, problems)
    if target not in DEADLINES:
        raise CampaignRefused([_("Unknown deadline %(name)s.", name=target)])
    old = deadline(campaign, target)
    if campaign.status not in DEADLINES[target]:
        problems.append(_("This stage is over: its deadline can no longer be extended."))
    if new is None:
        problems.append(_("Give the new date."))
    elif old is not None and new <= old:
        problems.append(_("The new date must be after the current one (%(date)s).", date=old.strftime("%d/%m/%Y")))
    if problems:
        raise CampaignRefused(problems)
    if target == "self_assessment":
        campaign.self_assessment_deadline = new
    elif target == "fieldwork":
        campaign.fieldwork_end = new
    else:
        number = int(target.split(":")[1])
        row = _round_row(campaign, number) or RoundDeadline(campaign_id=campaign.id, number=number)
        row.due = new
        db.session.add(row)
    change = LifecycleChange(campaign_id=campaign.id, kind="extend", target=target, reason=text,
                             before=old.isoformat() if old else None, after=new.isoformat(), user_id=actor_id())
    db.session.add(change)
    db.session.commit()
    return change


def reopen(campaign: Campaign, unit_code: str, until: date | None, reason: str | None) -> LifecycleChange:
    """Let one unit change its self-assessed points again until ``until``, with a reason.

    A submitted self-assessment goes back to draft; a sign-off of the unit is withdrawn.
    """
    from survey_app.campaigns import council

    problems: list[str] = []
    text = _reason(reason, problems)
    cu = next((c for c in queries.campaign_units(campaign) if c.unit.code == (unit_code or "").strip()), None)
    if cu is None:
        problems.append(_("The unit %(code)s is not assessed in this campaign.", code=unit_code))
    if campaign.status not in (S.SELF_ASSESSMENT, S.APPRAISAL):
        problems.append(_("A self-assessment can be reopened only during self-assessment or appraisal."))
    if until is None:
        problems.append(_("Give the date until which the self-assessment is open."))
    elif until < state.today():
        problems.append(_("The date has passed."))
    found = queries.assessment(campaign, cu.unit) if cu else None
    if found is not None and found.status is AssessmentStatus.LOCKED:
        problems.append(_("This self-assessment is locked by the final appraisal."))
    if problems:
        raise CampaignRefused(problems)
    if found is None:
        found = SelfAssessment(campaign_id=campaign.id, unit=cu.unit)
        db.session.add(found)
    before = found.status.value if found.status else AssessmentStatus.DRAFT.value
    found.status, found.reopened_until = AssessmentStatus.DRAFT, until
    if council.signed_off(campaign, cu.unit_id):
        db.session.delete(council.sign_offs(campaign)[cu.unit_id])
    change = LifecycleChange(campaign_id=campaign.id, kind="reopen", target="self_assessment", unit_id=cu.unit_id,
                             before=before, after=until.isoformat(), reason=text, user_id=actor_id())
    db.session.add(change)
    db.session.commit()
    return change


def history(campaign: Campaign) -> list[LifecycleChange]:
    return list(db.session.scalars(select(LifecycleChange).where(LifecycleChange.campaign_id == campaign.id)
                                   .order_by(LifecycleChange.at.desc(), LifecycleChange.id.desc())))
