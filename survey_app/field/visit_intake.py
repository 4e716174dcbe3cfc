"""Receiving a visit without an interview from the offline collector, exactly once.

The phone gives every visit a UUID when it is recorded; the visit is stored under that UUID
(``visit_attempt.client_uuid``, unique), so a repeated send — a retry after a lost
acknowledgement, a second tab — finds it and gets the same acknowledgement, and two sends racing
each other meet the unique constraint: the loser answers from the winner's row. A send under a
stored UUID with another case, outcome or note is refused (409): it is not the same visit. The case's status
follows :func:`survey_app.samples.visits.record_visit`, the rule of the online case page.
"""
from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.field.intake import Refused, _iso, _moment, _text
from survey_app.field.tokens import SendingDevice
from survey_app.i18n import _
from survey_app.models import DeviceToken, SampleCase, VisitAttempt
from survey_app.models.base import utcnow
from survey_app.samples.visits import VISIT_OUTCOMES, record_visit

MAX_NOTE = 2000


def _number(value, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value) if low <= value <= high else None


def _place(payload: dict) -> dict:
    """The device's position when the visit was recorded; nothing when it had none."""
    place = payload.get("geolocation")
    if place is None:
        return {}
    lat = _number(place.get("lat"), -90, 90) if isinstance(place, dict) else None
    lon = _number(place.get("lon"), -180, 180) if isinstance(place, dict) else None
    if lat is None or lon is None:
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="geolocation"))
    return {"lat": lat, "lon": lon, "accuracy_m": _number(place.get("accuracy_m"), 0, 1e6)}


def _parse(payload) -> dict:
    if not isinstance(payload, dict):
        raise Refused(400, _("The request could not be understood."))
    case_id = payload.get("case_id")
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="case_id"))
    outcomes = {o.value: o for o in VISIT_OUTCOMES}
    if not isinstance(payload.get("outcome"), str) or payload["outcome"] not in outcomes:
        raise Refused(422, _("The outcome of a visit must be no contact, refused or ineligible."))
    note = payload.get("note")
    if note is not None and not isinstance(note, str):
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="note"))
    if note and len(note) > MAX_NOTE:
        raise Refused(422, _("The note is too long: at most %(max)d characters.", max=MAX_NOTE))
    at = _moment(payload, "at")
    if at is None:
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="at"))
    return {"client_uuid": _text(payload, "client_uuid"), "case_id": case_id,
            "outcome": outcomes[payload["outcome"]], "note": (note or "").strip() or None,
            "at": at, "place": _place(payload)}


def _ack(visit: VisitAttempt) -> dict:
    """The same JSON for the first send and every repeat: only the stored visit's own values."""
    return {"status": "stored", "client_uuid": visit.client_uuid, "case_id": visit.case_id,
            "outcome": visit.outcome.value, "at": _iso(visit.at), "attempt_number": visit.attempt_number}


def _stored(data: dict, device: SendingDevice) -> dict | None:
    """The acknowledgement of the visit stored under the send's UUID, or ``None``."""
    visit = db.session.scalar(select(VisitAttempt).where(VisitAttempt.client_uuid == data["client_uuid"]))
    if visit is None:
        return None
    if visit.enumerator_id != device.user_id:
        raise Refused(409, _("This visit was already received from another enumerator."))
    if (visit.case_id, visit.outcome, visit.note) != (data["case_id"], data["outcome"], data["note"]):
        raise Refused(409, _("This visit was already received with another outcome or note; this send "
                             "is not stored."))
    return _ack(visit)


def _new_visit(data: dict, device: SendingDevice) -> dict:
    case = db.session.get(SampleCase, data["case_id"], with_for_update=True)
    if case is None or case.assignment is None or case.assignment.enumerator_id != device.user_id:
        raise Refused(403, _("This case is not assigned to you."))
    now = utcnow()
    at = min(data["at"], now)  # a phone clock ahead of time does not put the visit in the future
    visit = record_visit(case, device.user_id, data["outcome"], data["note"], at,
                         client_uuid=data["client_uuid"], device_token_id=device.id, received_at=now,
                         **data["place"])
    db.session.get(DeviceToken, device.id).last_sync_at = now
    db.session.flush()
    return _ack(visit)


def receive_visit(payload, device: SendingDevice) -> tuple[dict, bool]:
    """Store one visit; returns (acknowledgement, created). Raises :class:`Refused`."""
    data = _parse(payload)
    try:
        ack = _stored(data, device)
        if ack is not None:
            db.session.rollback()
            return ack, False
        ack = _new_visit(data, device)
        db.session.commit()
        return ack, True
    except IntegrityError:  # the same UUID won a race in another request
        db.session.rollback()
    except Refused:
        db.session.rollback()
        raise
    ack = _stored(data, device)
    db.session.rollback()
    if ack is None:
        raise Refused(409, _("This visit could not be stored; send it again."))
    return ack, False

