"""Visits to a case without an interview (*lần đến không thành công*) and what they do to the
case's status. One rule for the case page (online) and for the offline collector's sends.

The case takes the outcome of its latest visit, by the time of the visit (the device's time for
a visit recorded offline, which may reach the server hours later and after a later visit). A
closed case — completed by an interview, or replaced — keeps its status: a "no contact" that
arrives after the interview is history, not a downgrade.
"""
from __future__ import annotations

from datetime import datetime, timezone

from survey_app.extensions import db
from survey_app.models import CaseStatus, SampleCase, VisitAttempt
from survey_app.models.base import utcnow
from survey_app.samples.fieldwork import CLOSED

#: What a visit without an interview can end with.
VISIT_OUTCOMES = (CaseStatus.NO_CONTACT, CaseStatus.REFUSED, CaseStatus.INELIGIBLE)


def _utc(moment: datetime) -> datetime:
    """Aware UTC (SQLite gives naive UTC back)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def is_latest(case: SampleCase, at: datetime) -> bool:
    """True when no visit of the case so far happened after ``at``."""
    return all(_utc(a.at) <= _utc(at) for a in case.attempts)


def record_visit(case: SampleCase, enumerator_id: int, outcome: CaseStatus, note: str | None = None,
                 at: datetime | None = None, **device) -> VisitAttempt:
    """Add a visit to ``case`` and move the case's status by the rule above.

    ``device`` holds what the offline collector adds: ``client_uuid``, ``device_token_id``,
    ``received_at``, ``lat``, ``lon``, ``accuracy_m``. The caller checks who may record it.
    """
    if outcome not in VISIT_OUTCOMES:
        raise ValueError(f"not a visit outcome: {outcome}")
    at = at or utcnow()
    latest = is_latest(case, at)
    visit = VisitAttempt(case=case, enumerator_id=enumerator_id, outcome=outcome, note=note or None, at=at,
                         attempt_number=len(case.attempts) + 1, **device)
    db.session.add(visit)
    if latest and case.status not in CLOSED:
        case.status = outcome
    return visit
