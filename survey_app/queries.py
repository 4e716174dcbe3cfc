"""Read-side queries shared by several pages (counts and lists), in SQLAlchemy 2.0 style."""
from __future__ import annotations

from flask import abort
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (AdminUnit, Assignment, Campaign, CampaignStatus, CampaignUnit,
                               CaseStatus, SampleCase, SelfAssessment, User)


def campaigns(public_only: bool = False) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
    if public_only:
        query = query.where(Campaign.status != CampaignStatus.DRAFT)
    return list(db.session.scalars(query))


def campaign_by_code(code: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.code == code))


def campaign_or_404(code: str) -> Campaign:
    found = campaign_by_code(code)
    if found is None:
        abort(404)
    return found


def campaign_units(campaign: Campaign) -> list[CampaignUnit]:
    return list(db.session.scalars(
        select(CampaignUnit).join(AdminUnit).where(CampaignUnit.campaign_id == campaign.id)
        .order_by(CampaignUnit.framework_level, AdminUnit.code)))


def assessment(campaign: Campaign, unit: AdminUnit) -> SelfAssessment | None:
    return db.session.scalar(select(SelfAssessment).where(
        SelfAssessment.campaign_id == campaign.id, SelfAssessment.unit_id == unit.id))


def unit_by_code(code: str, year: int | None = None) -> AdminUnit | None:
    query = select(AdminUnit).where(AdminUnit.code == code).order_by(AdminUnit.valid_from.desc())
    units = list(db.session.scalars(query))
    if year is not None:
        units = [u for u in units if u.valid_in(year)]
    return units[0] if units else None


def enumerator_cases(user: User) -> list[SampleCase]:
    return list(db.session.scalars(
        select(SampleCase).join(Assignment).where(Assignment.enumerator_id == user.id)
        .order_by(SampleCase.status, SampleCase.id)))


def enumerator_progress(enumerator_ids: list[int]) -> dict[int, dict[str, int]]:
    """Cases per status for each enumerator: the supervisor's first table."""
    rows = db.session.execute(
        select(Assignment.enumerator_id, SampleCase.status, func.count())
        .join(SampleCase, SampleCase.id == Assignment.case_id)
        .where(Assignment.enumerator_id.in_(enumerator_ids))
        .group_by(Assignment.enumerator_id, SampleCase.status))
    progress = {i: {s.value: 0 for s in CaseStatus} for i in enumerator_ids}
    for enumerator_id, status, count in rows:
        progress[enumerator_id][status.value] = count
    return progress
