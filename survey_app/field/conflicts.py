"""Sends that reuse a client UUID with other answers (*phiếu gửi trùng mã*): told apart from a
plain resend by a digest of the answers, and kept aside for a supervisor.

A resend of the same interview (a retry after a lost acknowledgement, a second tab) carries the
very answers the phone sent the first time, so the digest of the answers *as received* — before
the server cleans and calculates them — matches the receipt's. Any other send under that UUID is
refused with 409, but never dropped; so is a new interview of a case already completed
(``reason`` ``case_completed``): it is stored in :class:`SubmissionConflict`, in its own
committed transaction, once per UUID and answers however often the phone repeats it.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from survey_app.extensions import db
from survey_app.field.tokens import SendingDevice
from survey_app.models import ConflictStatus, Submission, SubmissionConflict
from survey_app.models.fieldwork import SAME_UUID
from survey_app.models.base import utcnow

_CONFLICT = SubmissionConflict.__table__
_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def answers_digest(answers: dict) -> str:
    """SHA-256 of the answers' canonical JSON (sorted keys, no spaces, UTF-8 as is)."""
    text = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_answers(stored_digest: str | None, sent_digest: str) -> bool:
    """True when a resend matches its receipt; a receipt from before digests (``None``) matches."""
    return stored_digest is None or stored_digest == sent_digest


def respondent_line(sampling_plan: dict | None, sent_line: int | None, interviews: int) -> int | None:
    """The respondent line a new interview of a case takes, or ``None`` when the case has all
    its interviews: one, unless ``sampling_plan["respondents_per_household"]`` allows more (then
    the line the phone sent, else the next one)."""
    allowed = (sampling_plan or {}).get("respondents_per_household") or 1
    line = sent_line if sent_line is not None and allowed > 1 else interviews + 1
    return line if 1 <= line <= allowed else None


def case_interview(case_id: int, line: int | None = None) -> int | None:
    """The stored interview of a case (at ``line``, else its first) a refused one is compared with."""
    query = select(func.min(Submission.id)).where(Submission.case_id == case_id)
    if line is not None:
        query = query.where(Submission.respondent_line == line)
    return db.session.scalar(query) or (db.session.scalar(select(func.min(Submission.id))
                                                          .where(Submission.case_id == case_id)))


def keep_aside(data: dict, device: SendingDevice | None, submission_id: int, reason: str = SAME_UUID) -> None:
    """Store a refused send as it came, committed at once: the session's transaction (reads
    only, or already rolled back) is dropped first, so the refusal cannot take it with it."""
    db.session.rollback()
    row = {"client_uuid": data["edit_uuid"] or data["instance_uuid"], "answers_digest": data["digest"],
           "submission_id": submission_id, "reason": reason,
           "enumerator_id": device.user_id if device else None, "device_token_id": device.id if device else None,
           "received_at": utcnow(), "answers": data["answers"], "paradata": data["paradata"],
           "status": ConflictStatus.OPEN}
    insert = _DIALECT_INSERT[db.session.connection().dialect.name]
    db.session.connection().execute(
        insert(_CONFLICT).values(row).on_conflict_do_nothing(index_elements=["client_uuid", "answers_digest"]))
    db.session.commit()
