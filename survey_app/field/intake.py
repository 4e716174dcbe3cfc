"""Receiving an interview from the offline collector, exactly once.

Idempotency: every send carries a client UUID (*mã phiếu*): the interview's instance UUID,
fixed on the device when the interview is opened, or, for a correction after rejection, the
correction's own UUID. An accepted send writes a :class:`SyncReceipt` under that UUID (unique)
in the same transaction as the submission, so a repeated send — a retry after a lost
acknowledgement, a second tab, a forced resend — finds the receipt and gets the same
acknowledgement; two sends racing each other meet the unique constraints and the loser
answers from the winner's receipt. Nothing is stored for a refused send.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.field.bundle import case_questionnaire
from survey_app.i18n import _
from survey_app.models import (CaseStatus, Channel, DeviceToken, QuestionnaireVersion, ReviewState,
                               SampleCase, Submission, SubmissionEdit, SyncReceipt, VisitAttempt)
from survey_app.models.base import utcnow
from survey_app.questionnaire.engine import FormEngine

MAX_PARADATA = 256 * 1024


@dataclass
class Refused(Exception):
    """A send the server will not store: HTTP status, message, and the form's problems."""

    status: int
    message: str
    problems: list = field(default_factory=list)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def acknowledgement(receipt: SyncReceipt) -> dict:
    """The same JSON for the first send and every repeat of it."""
    submission = db.session.get(Submission, receipt.submission_id)
    return {"status": "stored", "client_uuid": receipt.client_uuid,
            "instance_uuid": submission.instance_uuid, "receipt": submission.receipt,
            "edit": receipt.submission_edit_id is not None, "received_at": _iso(receipt.received_at)}


def _receipt(client_uuid: str) -> SyncReceipt | None:
    return db.session.scalar(select(SyncReceipt).where(SyncReceipt.client_uuid == client_uuid))


def _text(payload: dict, key: str, required: bool = True, limit: int = 64) -> str | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise Refused(400, _("The field %(name)s is missing or malformed.", name=key))
    return value.strip()


def _moment(payload: dict, key: str) -> datetime | None:
    value = payload.get(key)
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Refused(400, _("The field %(name)s is missing or malformed.", name=key)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _parse(payload) -> dict:
    if not isinstance(payload, dict):
        raise Refused(400, _("The request could not be understood."))
    answers, paradata = payload.get("answers"), payload.get("paradata") or {}
    if not isinstance(answers, dict) or not isinstance(paradata, dict):
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="answers"))
    if len(json.dumps(paradata)) > MAX_PARADATA:
        raise Refused(413, _("The upload is too large."))
    case_id, version_id = payload.get("case_id"), payload.get("questionnaire_version_id")
    if not isinstance(case_id, int) or not isinstance(version_id, int):
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="case_id"))
    return {"instance_uuid": _text(payload, "instance_uuid"),
            "edit_uuid": _text(payload, "edit_uuid", required=False), "case_id": case_id,
            "version_id": version_id, "answers": answers, "paradata": paradata,
            "started_at": _moment(payload, "started_at"), "submitted_at": _moment(payload, "submitted_at"),
            "language": payload.get("language") if isinstance(payload.get("language"), str) else None}


def _case_and_version(data: dict, device: DeviceToken) -> tuple[SampleCase, QuestionnaireVersion]:
    """The case must be assigned to this enumerator, and the form must be the case's."""
    case = db.session.get(SampleCase, data["case_id"])
    if case is None or case.assignment is None or case.assignment.enumerator_id != device.user_id:
        raise Refused(403, _("This case is not assigned to you."))
    version = case_questionnaire(case)
    if version is None or version.id != data["version_id"]:
        raise Refused(409, _("This questionnaire is not the one of this case. Refresh your cases."))
    return case, version


def _checked_answers(version: QuestionnaireVersion, data: dict) -> dict:
    """The answers after the authoritative server check; a refusal carries every problem."""
    engine = FormEngine(version.definition, data["language"])
    problems = engine.problems(data["answers"])
    if problems:
        raise Refused(422, _("Some answers are not accepted."),
                      [{"key": p.key, "message": p.message} for p in problems])
    return engine.calculate(engine.clean(data["answers"]))


def _paradata(data: dict, device: DeviceToken) -> dict:
    paradata = dict(data["paradata"])
    start, end = data["started_at"], data["submitted_at"]
    if start and end and "duration_s" not in paradata:
        paradata["duration_s"] = max(0, round((end - start).total_seconds()))
    paradata["device_token_id"] = device.id
    return paradata


def _new_submission(data, case, version, answers, device) -> Submission:
    campaign = case.sample_list.campaign_id
    submission = Submission(
        instance_uuid=data["instance_uuid"], questionnaire_id=version.questionnaire_id,
        questionnaire_version_id=version.id, campaign_id=campaign, unit_id=case.unit_id,
        channel=Channel.ENUMERATOR, enumerator_id=device.user_id, case=case, answers=answers,
        paradata=_paradata(data, device), started_at=data["started_at"],
        submitted_at=data["submitted_at"], receipt=f"F{secrets.token_hex(6).upper()}")
    attempts = len(case.attempts)
    case.status = CaseStatus.COMPLETED
    db.session.add(VisitAttempt(case=case, enumerator_id=device.user_id, outcome=CaseStatus.COMPLETED,
                                at=data["submitted_at"] or utcnow(), attempt_number=attempts + 1))
    db.session.add(submission)
    return submission


def _correction(data, device) -> tuple[Submission, SubmissionEdit]:
    """A rejected interview corrected by its enumerator: an edit of the original, never a copy."""
    submission = db.session.scalar(select(Submission).where(
        Submission.instance_uuid == data["instance_uuid"], Submission.enumerator_id == device.user_id))
    if submission is None:
        raise Refused(404, _("The interview to correct was not found."))
    if submission.review_state is not ReviewState.REJECTED:
        raise Refused(409, _("This interview is not waiting for a correction."))
    answers = _checked_answers(submission.questionnaire_version, data)
    edit = SubmissionEdit(submission=submission, editor_id=device.user_id, before=submission.answers,
                          after=answers, reason=_("Correction by the enumerator after rejection"))
    submission.answers = answers
    submission.review_state = ReviewState.EDITED
    db.session.add(edit)
    return submission, edit


def _store(data: dict, device: DeviceToken) -> SyncReceipt:
    key = data["edit_uuid"] or data["instance_uuid"]
    if data["edit_uuid"]:
        submission, edit = _correction(data, device)
    else:
        case, version = _case_and_version(data, device)
        answers = _checked_answers(version, data)
        submission, edit = _new_submission(data, case, version, answers, device), None
    receipt = SyncReceipt(client_uuid=key, device_token_id=device.id)
    db.session.flush()
    receipt.submission_id, receipt.submission_edit_id = submission.id, edit.id if edit else None
    db.session.add(receipt)
    if edit is None:
        from survey_app.quality import on_intake
        on_intake(submission)
    device.last_sync_at = utcnow()
    return receipt


def receive(payload, device: DeviceToken) -> tuple[dict, bool]:
    """Store one send; returns (acknowledgement, created). Raises :class:`Refused`."""
    data = _parse(payload)
    key = data["edit_uuid"] or data["instance_uuid"]
    found = _receipt(key)
    if found is None:
        try:
            receipt = _store(data, device)
            db.session.commit()
            return acknowledgement(receipt), True
        except IntegrityError:  # the same UUID won a race in another request
            db.session.rollback()
            found = _receipt(key)
            if found is None:
                raise Refused(409, _("This interview was already received from another enumerator."))
        except Refused:
            db.session.rollback()
            raise
    submission = db.session.get(Submission, found.submission_id)
    if submission.enumerator_id != device.user_id:
        raise Refused(409, _("This interview was already received from another enumerator."))
    device.last_sync_at = utcnow()
    db.session.commit()
    return acknowledgement(found), False
