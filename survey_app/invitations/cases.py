"""Invitations for sampled cases (*thư mời theo hộ mẫu*): mixed mode on one sample.

Since 2022 SIPAS draws households at random and the post office delivers each one its
questionnaire, answered on paper or online: the letter *is* the sampled case's questionnaire.
Each case gets one code (issued once, however often this runs); the household's answer by code
completes the case with a self-completed visit, so it reaches the estimates with the case's
weight and design. A case holds one interview per respondent line, whichever mode comes
first (:func:`survey_app.field.conflicts.respondent_line`); the other is refused and kept
aside. A supervisor may switch a case to the interview at the door: its code stops working.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.invitations.codes import (CHUNK, CLOSED, InvitationRefused, _fresh_codes, citizens_version,
                                          default_expiry, prefix)
from survey_app.invitations.status import end_of_day
from survey_app.models import (AdminUnit, Campaign, CaseStatus, Invitation, SampleCase, SampleList, Submission,
                               VisitAttempt)
from survey_app.models.audit import write_entries
from survey_app.models.base import utcnow

#: A case whose fieldwork is over gets no letter.
NO_LETTER = (CaseStatus.COMPLETED, CaseStatus.REPLACED, CaseStatus.INELIGIBLE)


def cases_without_letter(campaign: Campaign, unit: AdminUnit | None = None, sample: SampleList | None = None,
                         unit_ids: set[int] | None = None) -> list[SampleCase]:
    """The campaign's open sampled cases (of one unit and its sub-units, of one list, of a
    supervisor's units) that have no invitation yet."""
    query = (select(SampleCase).join(SampleList).outerjoin(Invitation, Invitation.case_id == SampleCase.id)
             .where(SampleList.campaign_id == campaign.id, Invitation.id.is_(None),
                    SampleCase.status.not_in(NO_LETTER)).order_by(SampleCase.id))
    if sample is not None:
        query = query.where(SampleCase.sample_list_id == sample.id)
    if unit_ids is not None:
        query = query.where(SampleCase.unit_id.in_(unit_ids))
    cases = list(db.session.scalars(query))
    if unit is not None:
        units = {c.unit_id: c.unit for c in cases}
        inside = {uid for uid, u in units.items() if u.is_within(unit)}
        cases = [c for c in cases if c.unit_id in inside]
    return cases


def issue_for_cases(campaign: Campaign, unit: AdminUnit | None = None, sample: SampleList | None = None,
                    progress: Callable[[int], None] | None = None, unit_ids: set[int] | None = None) -> int:
    """One code per open sampled case without one; returns how many were issued.
    :class:`InvitationRefused` for a closed campaign or one without a citizens' questionnaire."""
    if campaign.status in CLOSED:
        raise InvitationRefused(_("The campaign %(code)s is closed: no new invitation codes can be made.",
                                  code=campaign.code))
    if unit is not None and not unit.is_within(db.session.get(AdminUnit, campaign.province_id)):
        raise InvitationRefused(_("The unit %(unit)s is not in the campaign's province.", unit=unit.code))
    version = citizens_version(campaign)
    if version is None:
        raise InvitationRefused(_("The campaign has no citizens' questionnaire."))
    cases = cases_without_letter(campaign, unit, sample, unit_ids)
    expires_on = default_expiry(campaign)
    expires_at = end_of_day(expires_on) if expires_on else None
    start, made = prefix(campaign), set()
    for offset in range(0, len(cases), CHUNK):
        chunk = cases[offset:offset + CHUNK]
        codes = _fresh_codes(start, len(chunk), made)
        made.update(codes)
        db.session.add_all(Invitation(code=code, campaign_id=campaign.id, unit_id=case.unit_id, case_id=case.id,
                                      questionnaire_version_id=version.id, expires_at=expires_at)
                           for code, case in zip(codes, chunk))
        db.session.flush()
        (progress or (lambda n: None))(len(chunk))
    db.session.commit()
    return len(cases)


def letters_of(case_ids: list[int]) -> dict[int, Invitation]:
    """Case id → its invitation (for the samples page and the enumerator's sheet)."""
    if not case_ids:
        return {}
    found = db.session.scalars(select(Invitation).where(Invitation.case_id.in_(case_ids)))
    return {i.case_id: i for i in found}


def switch_to_door(case: SampleCase) -> bool:
    """The case is interviewed at the door: its letter's code stops working (the answer, if any,
    stays). False when there was no letter to withdraw."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.case_id == case.id))
    if invitation is None or invitation.withdrawn_at is not None or invitation.used_at is not None:
        return False
    invitation.withdrawn_at = utcnow()
    db.session.flush()
    write_entries(db.session.connection(), [("update", "invitation", invitation.id, {"withdrawn_at": None},
                                             {"withdrawn_at": invitation.withdrawn_at.isoformat()})])
    db.session.commit()
    return True


def complete_by_letter(invitation: Invitation, submission: Submission) -> bool:
    """Tie a household's answer by code to its case, in the caller's transaction: the case's
    respondent line, a self-completed visit, the case completed. False when the case has all
    its interviews already (the caller keeps the answer aside)."""
    from survey_app.field.conflicts import respondent_line
    case = db.session.get(SampleCase, invitation.case_id)
    plan = db.session.scalar(select(Campaign.sampling_plan).join(SampleList).where(SampleList.id == case.sample_list_id))
    taken = db.session.scalar(select(func.count(Submission.id)).where(Submission.case_id == case.id))
    line = respondent_line(plan, None, taken)
    if line is None:
        return False
    visits = db.session.scalar(select(func.count(VisitAttempt.id)).where(VisitAttempt.case_id == case.id))
    submission.case_id, submission.respondent_line = case.id, line
    db.session.add(VisitAttempt(case_id=case.id, enumerator_id=None, at=submission.submitted_at,
                                outcome=CaseStatus.SELF_COMPLETED, attempt_number=visits + 1,
                                received_at=submission.submitted_at))
    case.status = CaseStatus.COMPLETED
    return True
