"""A campaign's invitation codes as a CSV file for the post office, and their counts per unit.

The CSV starts with a byte-order mark so that Excel opens the Vietnamese unit names in UTF-8; its
cells go through the exports' one CSV writer, which neutralises formulas (a unit name starting
with ``=``).
Times are in the province's time zone, written in ISO 8601 with their offset.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from survey_app.exports.cells import csv_writer
from survey_app.extensions import db
from survey_app.invitations.codes import printed_code
from survey_app.invitations.status import aware, local_zone
from survey_app.models import AdminUnit, Campaign, Invitation
from survey_app.models.base import utcnow

#: ``household`` and ``address``: the sampled case a letter is addressed to (empty for a batch code).
HEADER = ["code", "printed_code", "unit_code", "unit_name", "link", "expires_at", "used_at", "household", "address"]


@dataclass
class UnitCounts:
    unit_id: int
    generated: int = 0
    used: int = 0
    expired: int = 0

    @property
    def open(self) -> int:
        return self.generated - self.used - self.expired


def counts(campaign: Campaign) -> dict[int, UnitCounts]:
    """Per unit id: codes made, used, and expired unused (a code in its grace period counts as
    expired here: it opens only for the respondent who had started)."""
    now = utcnow()
    expired = case((Invitation.used_at.is_(None) & (Invitation.expires_at <= now), 1), else_=0)
    rows = db.session.execute(
        select(Invitation.unit_id, func.count(), func.count(Invitation.used_at), func.sum(expired))
        .where(Invitation.campaign_id == campaign.id).group_by(Invitation.unit_id))
    return {unit_id: UnitCounts(unit_id, made, used, int(gone or 0)) for unit_id, made, used, gone in rows}


def _local(moment) -> str:
    moment = aware(moment)
    return moment.astimezone(local_zone()).isoformat(timespec="minutes") if moment else ""


def _addressee(invitation: Invitation) -> list[str]:
    """The household and address the post office delivers a sampled case's letter to."""
    case = invitation.case
    return [case.label or "", case.address or ""] if case is not None else ["", ""]


def invitations(campaign: Campaign, unit: AdminUnit | None = None):
    query = (select(Invitation).where(Invitation.campaign_id == campaign.id)
             .options(selectinload(Invitation.unit), selectinload(Invitation.case)).order_by(Invitation.unit_id, Invitation.id))
    if unit is not None:
        query = query.where(Invitation.unit_id == unit.id)
    return db.session.scalars(query.execution_options(yield_per=2000))


def csv_text(campaign: Campaign, link, unit: AdminUnit | None = None) -> str:
    """The codes as CSV text with a BOM; ``link(code)`` gives each code's address."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for invitation in invitations(campaign, unit):
        writer.writerow([invitation.code, printed_code(invitation.code), invitation.unit.code,
                         invitation.unit.name, link(invitation.code), _local(invitation.expires_at),
                         _local(invitation.used_at), *_addressee(invitation)])
    return out.getvalue()
