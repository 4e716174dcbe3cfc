"""The supervisor's reach (*phạm vi giám sát*): supervisors within their scopes, administrators
everywhere. Used by the sample, back-check and quality pages, which administrators may open."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, Role, User, UserRole


def can_supervise(unit: AdminUnit) -> bool:
    return current_user.can_reach(Role.SUPERVISOR, unit) or current_user.can_reach(Role.ADMIN, unit)


def supervised_unit_ids() -> set[int]:
    """Ids of every unit the current user supervises (one pass over the units)."""
    return {u.id for u in db.session.scalars(select(AdminUnit)) if can_supervise(u)}


def supervised_enumerators() -> list[User]:
    """Enumerators whose every scope lies in the current user's reach."""
    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.ENUMERATOR).order_by(User.username))
    return [u for u in users.unique()
            if u.scopes(Role.ENUMERATOR) and all(s is not None and can_supervise(s)
                                                 for s in u.scopes(Role.ENUMERATOR))]


def _scopes() -> list[AdminUnit | None]:
    return current_user.scopes(Role.SUPERVISOR) + current_user.scopes(Role.ADMIN)


def campaign_in_reach(campaign: Campaign) -> bool:
    """True when one of the user's scopes overlaps the campaign's province."""
    return any(s is None or s.is_within(campaign.province) or campaign.province.is_within(s)
               for s in _scopes())


def reachable_campaigns() -> list[Campaign]:
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.code))
    return [c for c in campaigns if campaign_in_reach(c)]


def whole_province(campaign: Campaign) -> bool:
    """True for a supervisor or administrator of the campaign's whole province."""
    return can_supervise(campaign.province)
