"""Role and unit checks for routes: every view states who may open it."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from survey_app.models import AdminUnit, Role


def roles_required(*roles: Role):
    """Open the view to signed-in users holding one of ``roles``; 403 for the others."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def require_unit(role: Role, unit: AdminUnit | None) -> AdminUnit:
    """404 for a missing unit, 403 for a unit outside the user's scope for ``role``."""
    if unit is None:
        abort(404)
    if not current_user.can_reach(role, unit):
        abort(403)
    return unit


def scoped_units(role: Role, candidates: list[AdminUnit]) -> list[AdminUnit]:
    return [u for u in candidates if current_user.can_reach(role, u)]
