"""Whether an invitation code still opens the questionnaire.

A code is *used* once its answers are stored, and *expired* from ``expires_at`` on. A
respondent who started before the expiry may still finish for :data:`GRACE` (24 hours) after
it: the letter may arrive late in the fieldwork, and answers half given are not thrown away.
After the grace period the unfinished draft stays stored but can no longer be sent.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from survey_app.models import Invitation
from survey_app.models.base import utcnow

GRACE = timedelta(hours=24)


class CodeState(enum.Enum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    #: A sampled case's code whose case is interviewed at the door instead (switched by the
    #: supervisor, or already completed by an enumerator before the household started).
    AT_THE_DOOR = "at_the_door"


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives timestamps back without their zone; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` in the province's time zone: a code "valid until 15/09"
    works through the whole of the 15th, local time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone()).astimezone(timezone.utc)


def last_valid_day(invitation: Invitation) -> date | None:
    expires = aware(invitation.expires_at)
    if expires is None:
        return None
    return (expires.astimezone(local_zone()) - timedelta(microseconds=1)).date()


def _interviewed(invitation: Invitation) -> bool:
    """The letter's case was completed at the door. A household that had already started may
    still send its answers: they are kept aside for the supervisor, not counted twice."""
    return invitation.case is not None and invitation.case.status.value == "completed"


def code_state(invitation: Invitation, started: bool, now: datetime | None = None) -> CodeState:
    """``started``: a draft exists, so the grace period applies."""
    if invitation.used_at is not None:
        return CodeState.USED
    if invitation.withdrawn_at is not None or (_interviewed(invitation) and not started):
        return CodeState.AT_THE_DOOR
    expires = aware(invitation.expires_at)
    now = now or utcnow()
    if expires is not None and now >= expires and not (started and now < expires + GRACE):
        return CodeState.EXPIRED
    return CodeState.OPEN
