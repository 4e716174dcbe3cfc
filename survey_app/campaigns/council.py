"""The appraisal council (*hội đồng thẩm định*): its members, the units given to each, and the
sign-off of each unit's decisions.

While a campaign has no assignment every appraiser in scope sees every unit, as before; once
units are assigned, an appraiser sees and decides only their own units.
"""
from __future__ import annotations

from sqlalchemy import select

from survey_app import queries
from survey_app.campaigns.refused import CampaignRefused
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import (AdminUnit, AppraisalRound, Campaign, CouncilAssignment, CouncilMember, Role,
                               RoundStatus, UnitSignOff, User)


def members(campaign: Campaign) -> list[CouncilMember]:
    return list(db.session.scalars(select(CouncilMember).where(CouncilMember.campaign_id == campaign.id)
                                   .order_by(CouncilMember.id)))


def assignments(campaign: Campaign) -> dict[int, CouncilAssignment]:
    """The assignment of each unit id of the campaign."""
    rows = db.session.scalars(select(CouncilAssignment).where(CouncilAssignment.campaign_id == campaign.id))
    return {row.unit_id: row for row in rows}


def may_appraise(campaign: Campaign, user: User, unit: AdminUnit) -> bool:
    """Whether ``user`` (already an appraiser reaching ``unit``) appraises it in ``campaign``."""
    found = db.session.scalar(select(CouncilAssignment.user_id).where(
        CouncilAssignment.campaign_id == campaign.id, CouncilAssignment.unit_id == unit.id))
    if found is not None:
        return found == user.id
    none_assigned = db.session.scalar(select(CouncilAssignment.id).where(
        CouncilAssignment.campaign_id == campaign.id).limit(1)) is None
    return none_assigned


def _appraiser(campaign: Campaign, username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    scopes = user.scopes(Role.APPRAISER) if user else []
    if not any(s is None or campaign.province.is_within(s) or s.is_within(campaign.province) for s in scopes):
        raise CampaignRefused([_("%(name)s is not an appraiser of this province.", name=username)])
    return user


def add_member(campaign: Campaign, username: str) -> CouncilMember:
    user = _appraiser(campaign, username)
    found = db.session.scalar(select(CouncilMember).where(CouncilMember.campaign_id == campaign.id,
                                                          CouncilMember.user_id == user.id))
    if found is None:
        found = CouncilMember(campaign_id=campaign.id, user_id=user.id)
        db.session.add(found)
    db.session.commit()
    return found


def remove_member(campaign: Campaign, user_id: int) -> None:
    for row in assignments(campaign).values():
        if row.user_id == user_id:
            db.session.delete(row)
    for member in members(campaign):
        if member.user_id == user_id:
            db.session.delete(member)
    db.session.commit()


def assign(campaign: Campaign, username: str, unit_codes: list[str]) -> int:
    """Give the units to a council member (replacing an earlier assignment); all or none."""
    member = next((m for m in members(campaign) if m.user.username == username.strip()), None)
    problems = [] if member else [_("%(name)s is not a member of the council.", name=username)]
    in_scope = {cu.unit.code: cu.unit for cu in queries.campaign_units(campaign)}
    units = []
    for code in unit_codes:
        if code.strip() not in in_scope:
            problems.append(_("The unit %(code)s is not assessed in this campaign.", code=code))
        else:
            unit = in_scope[code.strip()]
            if member and not member.user.can_reach(Role.APPRAISER, unit):
                problems.append(_("%(unit)s is outside the area of %(name)s.", unit=unit.name, name=username))
            units.append(unit)
    if not units and not problems:
        problems.append(_("Choose at least one unit."))
    if problems:
        raise CampaignRefused(problems)
    existing = assignments(campaign)
    for unit in units:
        row = existing.get(unit.id)
        if row is None:
            db.session.add(CouncilAssignment(campaign_id=campaign.id, unit_id=unit.id, user_id=member.user_id))
        else:
            row.user_id = member.user_id
    db.session.commit()
    return len(units)


def sign_offs(campaign: Campaign) -> dict[int, UnitSignOff]:
    rows = db.session.scalars(select(UnitSignOff).where(UnitSignOff.campaign_id == campaign.id))
    return {row.unit_id: row for row in rows}


def signed_off(campaign: Campaign, unit_id: int) -> bool:
    return db.session.scalar(select(UnitSignOff.id).where(
        UnitSignOff.campaign_id == campaign.id, UnitSignOff.unit_id == unit_id)) is not None


def sign_off(campaign: Campaign, unit: AdminUnit, user: User, final_round: AppraisalRound | None) -> UnitSignOff:
    """Sign off a unit whose every sub-criterion is decided, in the open final round."""
    from survey_app.campaigns.guards import undecided

    if final_round is None or final_round.status is not RoundStatus.OPEN:
        raise CampaignRefused([_("Units are signed off while the final appraisal round is open.")])
    if signed_off(campaign, unit.id):
        raise CampaignRefused([_("%(unit)s is already signed off.", unit=unit.name)])
    missing = undecided(campaign, [unit])
    if missing:
        raise CampaignRefused([_("%(count)s sub-criteria of %(unit)s are not decided yet.",
                                 count=len(missing), unit=unit.name)])
    found = UnitSignOff(campaign_id=campaign.id, unit_id=unit.id, round_id=final_round.id, user_id=user.id)
    db.session.add(found)
    db.session.commit()
    return found


def withdraw_sign_off(campaign: Campaign, unit: AdminUnit, final_round: AppraisalRound | None) -> None:
    """Take a sign-off back while the final round is open, so the unit's decisions can change."""
    if final_round is None or final_round.status is not RoundStatus.OPEN:
        raise CampaignRefused([_("Units are signed off while the final appraisal round is open.")])
    found = sign_offs(campaign).get(unit.id)
    if found is not None:
        db.session.delete(found)
        db.session.commit()
