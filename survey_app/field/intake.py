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

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.field.bundle import campaign_questionnaire_id
from survey_app.i18n import _
from survey_app.models import (Assignment, CaseStatus, Channel, DeviceToken, QuestionnaireVersion,
                               ReviewState, SampleCase, SampleList, Submission, SubmissionEdit,
                               SyncReceipt, VersionStatus, VisitAttempt)
from survey_app.models.base import utcnow
from survey_app.questionnaire.engine import FormEngine, cached_engine

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


def acknowledgement(receipt: SyncReceipt, submission: Submission) -> dict:
    """The same JSON for the first send and every repeat of it (built before the commit,
    from the rows in hand: nothing is read back)."""
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


@dataclass
class _Case:
    """A case as intake needs it, read in one query (see :func:`_case`)."""

    case: SampleCase
    campaign_id: int
    attempts: int
    engine: FormEngine
    version_id: int
    questionnaire_id: int


def _engine(version_id: int, language: str | None) -> tuple[FormEngine, int] | None:
    """The version's form engine and questionnaire id. A published (or retired) version never
    changes, so its engine is built once per process and its definition not even loaded."""
    row = db.session.execute(select(
        QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.status,
        QuestionnaireVersion.source_checksum).where(QuestionnaireVersion.id == version_id)).one_or_none()
    if row is None:
        return None

    def definition() -> dict:
        return db.session.scalar(select(QuestionnaireVersion.definition)
                                 .where(QuestionnaireVersion.id == version_id))
    if row.status is VersionStatus.DRAFT:
        return FormEngine(definition(), language), row.questionnaire_id
    return cached_engine((version_id, row.source_checksum), definition, language), row.questionnaire_id


def _case(data: dict, device: DeviceToken) -> _Case:
    """The case must be assigned to this enumerator, and the form must be the case's
    (the sample's own choice, else the campaign's: see ``bundle.case_questionnaire``)."""
    attempts = (select(func.count(VisitAttempt.id)).where(VisitAttempt.case_id == SampleCase.id)
                .scalar_subquery())
    row = db.session.execute(
        select(SampleCase, Assignment.enumerator_id, SampleList.campaign_id, SampleList.parameters,
               campaign_questionnaire_id(SampleList.campaign_id), attempts)
        .join(SampleList, SampleList.id == SampleCase.sample_list_id)
        .outerjoin(Assignment, Assignment.case_id == SampleCase.id)
        .where(SampleCase.id == data["case_id"])).one_or_none()
    if row is None or row[1] != device.user_id:
        raise Refused(403, _("This case is not assigned to you."))
    case, _assigned, campaign_id, parameters, default_version, visits = row
    version_id = (parameters or {}).get("questionnaire_version_id") or default_version
    found = _engine(version_id, data["language"]) if version_id == data["version_id"] else None
    if found is None:
        raise Refused(409, _("This questionnaire is not the one of this case. Refresh your cases."))
    return _Case(case, campaign_id, visits, found[0], version_id, found[1])


def _checked_answers(engine: FormEngine, data: dict) -> dict:
    """The answers after the authoritative server check; a refusal carries every problem."""
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


def _new_submission(data, found: _Case, answers, device) -> Submission:
    case = found.case
    submission = Submission(
        instance_uuid=data["instance_uuid"], questionnaire_id=found.questionnaire_id,
        questionnaire_version_id=found.version_id, campaign_id=found.campaign_id, unit_id=case.unit_id,
        channel=Channel.ENUMERATOR, enumerator_id=device.user_id, case=case, answers=answers,
        paradata=_paradata(data, device), started_at=data["started_at"],
        submitted_at=data["submitted_at"], receipt=f"F{secrets.token_hex(6).upper()}")
    case.status = CaseStatus.COMPLETED
    db.session.add(VisitAttempt(case_id=case.id, enumerator_id=device.user_id, outcome=CaseStatus.COMPLETED,
                                at=data["submitted_at"] or utcnow(), attempt_number=found.attempts + 1))
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
    engine, _questionnaire = _engine(submission.questionnaire_version_id, data["language"])
    answers = _checked_answers(engine, data)
    edit = SubmissionEdit(submission=submission, editor_id=device.user_id, before=submission.answers,
                          after=answers, reason=_("Correction by the enumerator after rejection"))
    submission.answers = answers
    submission.review_state = ReviewState.EDITED
    db.session.add(edit)
    return submission, edit


def _store(data: dict, device: DeviceToken) -> tuple[SyncReceipt, Submission]:
    key = data["edit_uuid"] or data["instance_uuid"]
    if data["edit_uuid"]:
        submission, edit = _correction(data, device)
    else:
        found = _case(data, device)
        answers = _checked_answers(found.engine, data)
        submission, edit = _new_submission(data, found, answers, device), None
    receipt = SyncReceipt(client_uuid=key, device_token_id=device.id, received_at=utcnow())
    db.session.flush()
    receipt.submission_id, receipt.submission_edit_id = submission.id, edit.id if edit else None
    db.session.add(receipt)
    if edit is None:
        from survey_app.quality import on_intake
        with db.session.no_autoflush:  # its reads concern other submissions: one flush at commit
            on_intake(submission, found.engine.definition)
    device.last_sync_at = utcnow()
    return receipt, submission


def receive(payload, device: DeviceToken) -> tuple[dict, bool]:
    """Store one send; returns (acknowledgement, created). Raises :class:`Refused`."""
    data = _parse(payload)
    key = data["edit_uuid"] or data["instance_uuid"]
    found = _receipt(key)
    if found is None:
        try:
            receipt, submission = _store(data, device)
            ack = acknowledgement(receipt, submission)
            db.session.commit()
            return ack, True
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
    ack = acknowledgement(found, submission)
    device.last_sync_at = utcnow()
    db.session.commit()
    return ack, False
