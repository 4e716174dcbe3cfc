"""Making a batch of single-use invitation codes for one campaign and unit.

A code is a three-character campaign prefix and eight random characters drawn with
:mod:`secrets` from an alphabet without the look-alikes 0/O and 1/I (40 bits: guessing one of
50,000 live codes takes about 20 million tries, and ``/code`` allows 30 a minute per address).
It is stored without separators (``HNMZ8GV6J6C``) and printed in groups (``HNM-Z8GV-6J6C``);
the code-entry page ignores case, spaces and dashes.

A batch is stored whole or not at all: codes already taken are drawn again before inserting,
and a batch that still meets a code stored meanwhile (two batches at the same moment) is
rolled back and drawn again.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.invitations.status import end_of_day, local_zone
from survey_app.models import (AdminUnit, Campaign, CampaignQuestionnaire, CampaignStatus, CampaignUnit,
                               Invitation, QuestionnaireVersion)
from survey_app.models.base import utcnow
from survey_app.refusals import MessageRefused

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RANDOM_LENGTH = 8
PREFIX_LENGTH = 3
MAX_BATCH = 20000
CHUNK = 1000
ATTEMPTS = 3
CLOSED = (CampaignStatus.ANALYSIS, CampaignStatus.PUBLISHED)
CITIZENS = "citizens"


class InvitationRefused(MessageRefused):
    """Bad input for a batch; the message is for the person who asked (translated)."""


@dataclass
class BatchRequest:
    campaign: Campaign
    unit: AdminUnit
    count: int
    expires_on: date | None = None
    version: QuestionnaireVersion | None = None


def prefix(campaign: Campaign) -> str:
    """``HNM-2024`` → ``HNM``: the campaign code's first characters that are in the alphabet."""
    usable = [c for c in campaign.code.upper() if c in ALPHABET]
    return "".join(usable[:PREFIX_LENGTH]).ljust(PREFIX_LENGTH, "X")


def printed_code(code: str) -> str:
    """``HNMZ8GV6J6C`` → ``HNM-Z8GV-6J6C``, as on the letters and typed back at /code."""
    if not code.isalnum():
        return code
    return "-".join([code[:PREFIX_LENGTH]] + [code[i:i + 4] for i in range(PREFIX_LENGTH, len(code), 4)])


def new_code(start: str) -> str:
    return start + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))


def citizens_version(campaign: Campaign) -> QuestionnaireVersion | None:
    """The version the campaign uses for citizens (the campaign's only one if it has one)."""
    links = list(db.session.scalars(select(CampaignQuestionnaire)
                                    .where(CampaignQuestionnaire.campaign_id == campaign.id)))
    chosen = [link for link in links if link.audience == CITIZENS] or (links if len(links) == 1 else [])
    return chosen[0].questionnaire_version if chosen else None


def _check(request: BatchRequest) -> QuestionnaireVersion:
    campaign, unit = request.campaign, request.unit
    if not isinstance(request.count, int) or not 1 <= request.count <= MAX_BATCH:
        raise InvitationRefused(_("The number of codes must be between 1 and %(max)d.", max=MAX_BATCH))
    if campaign.status in CLOSED:
        raise InvitationRefused(_("The campaign %(code)s is closed: no new invitation codes can be made.",
                                  code=campaign.code))
    if not unit.is_within(db.session.get(AdminUnit, campaign.province_id)):
        raise InvitationRefused(_("The unit %(unit)s is not in the campaign's province.", unit=unit.code))
    assessed = db.session.scalar(select(CampaignUnit.id).where(
        CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id == unit.id))
    if assessed is None:
        raise InvitationRefused(_("The unit %(unit)s is not assessed in this campaign.", unit=unit.code))
    today = utcnow().astimezone(local_zone()).date()
    if request.expires_on is not None and request.expires_on < today:
        raise InvitationRefused(_("The expiry date has already passed."))
    version = request.version or citizens_version(campaign)
    if version is None:
        raise InvitationRefused(_("The campaign has no citizens' questionnaire."))
    return version


def default_expiry(campaign: Campaign) -> date | None:
    """The last day of fieldwork, unless it has passed (then no expiry)."""
    end = campaign.fieldwork_end
    today = utcnow().astimezone(local_zone()).date()
    return end if end is not None and end >= today else None


def _taken(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        found.update(db.session.scalars(select(Invitation.code).where(Invitation.code.in_(codes[start:start + 500]))))
    return found


def _fresh_codes(start: str, count: int, made: set[str]) -> list[str]:
    """``count`` new codes, unique in the batch and not yet stored."""
    chosen: list[str] = []
    while len(chosen) < count:
        wanted = count - len(chosen)
        candidates = list({new_code(start) for _ in range(wanted)} - made - set(chosen))
        taken = _taken(candidates)
        chosen.extend(c for c in candidates if c not in taken)
    return chosen[:count]


def _insert(request: BatchRequest, version: QuestionnaireVersion, progress: Callable[[int], None]) -> list[str]:
    expires_on = request.expires_on if request.expires_on is not None else default_expiry(request.campaign)
    expires_at = end_of_day(expires_on) if expires_on else None
    start, made = prefix(request.campaign), set()
    codes: list[str] = []
    for offset in range(0, request.count, CHUNK):
        chunk = _fresh_codes(start, min(CHUNK, request.count - offset), made)
        made.update(chunk)
        db.session.add_all(Invitation(code=code, campaign_id=request.campaign.id, unit_id=request.unit.id,
                                      questionnaire_version_id=version.id, expires_at=expires_at)
                           for code in chunk)
        db.session.flush()
        codes.extend(chunk)
        progress(len(chunk))
    db.session.commit()
    return codes


def generate(request: BatchRequest, progress: Callable[[int], None] | None = None) -> list[str]:
    """Store ``request.count`` new codes; return them. :class:`InvitationRefused` on bad input."""
    version = _check(request)
    for attempt in range(ATTEMPTS):
        try:
            return _insert(request, version, progress or (lambda n: None))
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
