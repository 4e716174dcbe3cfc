"""Storing a finished questionnaire: re-validated on the server, stored once per instance UUID.

The same interview sent twice (a retry, two tabs, a lost acknowledgement) finds the row already
stored under its questionnaire and instance UUID and gets the same receipt back; nothing is
counted twice.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import AdminUnit, Channel, Invitation, QuestionnaireVersion, ResponseDraft, Submission
from survey_app.models.base import utcnow
from survey_app.questionnaire.engine import FormEngine, Problem
from survey_app.refusals import Refused

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class CaseAlreadyCompleted(Exception):
    """The household's sampled case has its interview already (an enumerator came first): the
    answers are kept aside for a supervisor, not stored as a second interview."""


class SubmissionRefused(Refused):
    """The server refuses these answers; ``problems`` says which and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(422, problems, "; ".join(f"{p.key}: {p.message}" for p in problems))


def new_receipt() -> str:
    return "PAR-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


def checked_answers(engine: FormEngine, answers: dict) -> dict:
    """Calculations filled, irrelevant answers dropped; :class:`SubmissionRefused` when refused."""
    answers = engine.calculate(answers)
    problems = engine.problems(answers)
    if problems:
        raise SubmissionRefused(problems)
    return engine.clean(answers)


def existing(version: QuestionnaireVersion, instance_uuid: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.questionnaire_id == version.questionnaire_id,
        Submission.instance_uuid == instance_uuid))


def store(submission: Submission) -> tuple[Submission, bool]:
    """Insert, or return the row already stored under the same UUID: ``(row, created)``."""
    db.session.add(submission)
    try:
        db.session.commit()
        return submission, True
    except IntegrityError:
        db.session.rollback()
        version = db.session.get(QuestionnaireVersion, submission.questionnaire_version_id)
        found = existing(version, submission.instance_uuid)
        if found is None:
            raise
        return found, False


def store_invitation_submission(invitation: Invitation, draft: ResponseDraft, engine: FormEngine) -> str:
    """Submit a citizen's draft: validate, store, use up the code; return the receipt number."""
    version = db.session.get(QuestionnaireVersion, invitation.questionnaire_version_id)
    return _store_draft(draft, engine, version, invitation.campaign_id, invitation.unit,
                        Channel.INVITATION, invitation)


def store_open_submission(campaign_id: int, unit: AdminUnit, version: QuestionnaireVersion,
                          draft: ResponseDraft, engine: FormEngine) -> str:
    """Submit a draft opened from a campaign's open link: no invitation, channel ``open_link``."""
    return _store_draft(draft, engine, version, campaign_id, unit, Channel.OPEN_LINK, None)


def _store_draft(draft: ResponseDraft, engine: FormEngine, version: QuestionnaireVersion, campaign_id: int,
                 unit: AdminUnit, channel: Channel, invitation: Invitation | None) -> str:
    now = utcnow()
    already = existing(version, draft.instance_uuid)
    if already is not None:
        if invitation is not None:
            invitation.used_at = invitation.used_at or now
        db.session.delete(draft)
        db.session.commit()
        return already.receipt
    answers = dict(draft.answers, start=_iso(draft.started_at), end=now.isoformat(),
                   today=now.date().isoformat(), unit_code=unit.code)
    answers = {k: v for k, v in answers.items() if k in engine.fields}
    answers = checked_answers(engine, answers)
    submission = Submission(
        instance_uuid=draft.instance_uuid, questionnaire_id=version.questionnaire_id,
        questionnaire_version_id=version.id, campaign_id=campaign_id, unit_id=unit.id, channel=channel,
        invitation_id=invitation.id if invitation is not None else None,
        answers=answers, paradata=dict(draft.paradata or {}), started_at=draft.started_at,
        submitted_at=now, receipt=new_receipt())
    if invitation is not None:
        invitation.used_at = now
        if invitation.case_id is not None:
            _tie_to_case(invitation, submission, draft)
    db.session.delete(draft)
    try:
        stored, _created = store(submission)
    except IntegrityError:  # the case's interview arrived meanwhile
        _keep_aside(invitation, submission, draft)
        raise CaseAlreadyCompleted() from None
    return stored.receipt


def _tie_to_case(invitation: Invitation, submission: Submission, draft: ResponseDraft) -> None:
    from survey_app.invitations.cases import complete_by_letter
    if not complete_by_letter(invitation, submission):
        db.session.rollback()
        _keep_aside(invitation, submission, draft)
        raise CaseAlreadyCompleted()


def _keep_aside(invitation: Invitation, submission: Submission, draft: ResponseDraft) -> None:
    """The household's answers beside the case's interview, for the supervisor (committed)."""
    from survey_app.field.conflicts import answers_digest, case_interview, keep_aside
    from survey_app.models.fieldwork import CASE_COMPLETED
    existing_id = case_interview(invitation.case_id)
    data = {"edit_uuid": None, "instance_uuid": submission.instance_uuid, "digest": answers_digest(submission.answers),
            "answers": submission.answers, "paradata": submission.paradata}
    keep_aside(data, None, existing_id, CASE_COMPLETED)
    db.session.delete(draft)  # kept once; the code then shows the household the door page
    db.session.commit()


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""
