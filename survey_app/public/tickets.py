"""What lets a visitor answer the citizens' questionnaire: an invitation code (``/q/<code>``) or a
campaign's open link for one unit (``/open/<campaign>/<unit>``).

Both lead through the same pages. A code's draft is found by its invitation; an open link's
draft by the visitor's signed session cookie, which holds the draft's id and instance UUID per
link, so back, refresh and a return the next day keep the answers, and nobody can guess
another visitor's draft.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import session, url_for
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.invitations.codes import CLOSED, citizens_version
from survey_app.models import (AdminUnit, Campaign, CampaignStatus, CampaignUnit, Invitation,
                               QuestionnaireVersion, ResponseDraft)

OPEN_DRAFTS = "open_drafts"
OPEN_RECEIPTS = "open_receipts"
SENT_CODES = "sent_codes"


@dataclass
class Ticket:
    campaign: Campaign
    unit: AdminUnit
    version: QuestionnaireVersion
    invitation: Invitation | None = None

    @property
    def open_link(self) -> bool:
        return self.invitation is None

    @property
    def key(self) -> str:
        """The open link's key in the session."""
        return f"{self.campaign.code}/{self.unit.code}"

    @property
    def args(self) -> dict:
        if self.invitation is not None:
            return {"code": self.invitation.code}
        return {"campaign_code": self.campaign.code, "unit_code": self.unit.code}

    def url(self, view: str, **extra) -> str:
        """The address of ``view`` (``landing``, ``page``…) for this code or open link."""
        return url_for(("public." if self.invitation is not None else "public.open_") + view,
                       **self.args, **extra)

    def draft(self) -> ResponseDraft | None:
        if self.invitation is not None:
            return db.session.scalar(select(ResponseDraft).where(ResponseDraft.invitation_id == self.invitation.id))
        kept = (session.get(OPEN_DRAFTS) or {}).get(self.key)
        if not kept:
            return None
        found = db.session.get(ResponseDraft, kept[0])
        if found is None or found.instance_uuid != kept[1] or found.invitation_id is not None:
            return None
        return found

    def remember(self, draft: ResponseDraft) -> None:
        """Point the visitor's session at their open-link draft (kept across browser restarts)."""
        session.permanent = True
        session[OPEN_DRAFTS] = dict(session.get(OPEN_DRAFTS) or {}, **{self.key: [draft.id, draft.instance_uuid]})

    def forget(self, receipt: str) -> None:
        """The draft was sent: drop it from the session and keep the receipt to show."""
        session[OPEN_DRAFTS] = {k: v for k, v in (session.get(OPEN_DRAFTS) or {}).items() if k != self.key}
        session[OPEN_RECEIPTS] = dict(session.get(OPEN_RECEIPTS) or {}, **{self.key: receipt})

    def receipt(self) -> str | None:
        return (session.get(OPEN_RECEIPTS) or {}).get(self.key)

    def mark_sent(self) -> None:
        """This browser sent the code's answers: Back then shows the receipt, not a warning."""
        kept = [c for c in session.get(SENT_CODES) or [] if c != self.invitation.code][-19:]
        session[SENT_CODES] = kept + [self.invitation.code]

    def sent_here(self) -> bool:
        """Whether this browser sent the answers of this code (or, on an open link, its last ones)."""
        if self.invitation is None:
            return bool(self.receipt())
        return self.invitation.used_at is not None and self.invitation.code in (session.get(SENT_CODES) or [])


def code_ticket(invitation: Invitation) -> Ticket:
    return Ticket(db.session.get(Campaign, invitation.campaign_id), invitation.unit,
                  db.session.get(QuestionnaireVersion, invitation.questionnaire_version_id), invitation)


def open_ticket(campaign_code: str, unit_code: str) -> Ticket | None:
    """The open link of a campaign that takes answers without a code, for one assessed unit;
    ``None`` when the campaign does not allow it (or is not in fieldwork) or the unit is not assessed."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None or not campaign.open_link or campaign.status in CLOSED + (CampaignStatus.DRAFT,):
        return None
    unit = db.session.scalar(select(AdminUnit).join(CampaignUnit, CampaignUnit.unit_id == AdminUnit.id).where(
        CampaignUnit.campaign_id == campaign.id, AdminUnit.code == unit_code))
    version = citizens_version(campaign)
    if unit is None or version is None:
        return None
    return Ticket(campaign, unit, version)
