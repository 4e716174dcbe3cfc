"""Sends that reuse a client UUID with other answers (*phiếu gửi trùng mã*): told apart from a
plain resend by a digest of the answers, and kept aside for a supervisor.

A resend of the same interview (a retry after a lost acknowledgement, a second tab) carries the
very answers the phone sent the first time, so the digest of the answers *as received* — before
the server cleans and calculates them — matches the receipt's. Any other send under that UUID is
refused with 409, but never dropped: it is stored in :class:`SubmissionConflict`, in its own
committed transaction, once per UUID and answers however often the phone repeats it.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy.dialects import postgresql, sqlite

from survey_app.extensions import db
from survey_app.field.tokens import SendingDevice
from survey_app.models import ConflictStatus, SubmissionConflict
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


def keep_aside(data: dict, device: SendingDevice, submission_id: int) -> None:
    """Store a refused send as it came, committed at once: the session's transaction (reads
    only, or already rolled back) is dropped first, so the refusal cannot take it with it."""
    db.session.rollback()
    row = {"client_uuid": data["edit_uuid"] or data["instance_uuid"], "answers_digest": data["digest"],
           "submission_id": submission_id, "enumerator_id": device.user_id, "device_token_id": device.id,
           "received_at": utcnow(), "answers": data["answers"], "paradata": data["paradata"],
           "status": ConflictStatus.OPEN}
    insert = _DIALECT_INSERT[db.session.connection().dialect.name]
    db.session.connection().execute(
        insert(_CONFLICT).values(row).on_conflict_do_nothing(index_elements=["client_uuid", "answers_digest"]))
    db.session.commit()
