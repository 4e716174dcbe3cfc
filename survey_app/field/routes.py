"""Enumerators' and supervisors' pages (*điều tra viên*, *giám sát viên*)."""
from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from survey_app import queries
from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.models import Role, User, UserRole


@bp.route("/")
@roles_required(Role.ENUMERATOR)
def enumerator():
    cases = queries.enumerator_cases(current_user)
    return render_template("field/enumerator.html", cases=cases)


def _enumerators_in_scope() -> list[User]:
    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.ENUMERATOR).order_by(User.username))
    return [u for u in users.unique()
            if any(scope is not None and current_user.can_reach(Role.SUPERVISOR, scope)
                   for scope in u.scopes(Role.ENUMERATOR))]


@bp.route("/supervision")
@roles_required(Role.SUPERVISOR)
def supervisor():
    enumerators = _enumerators_in_scope()
    progress = queries.enumerator_progress([u.id for u in enumerators])
    areas = {u.id: ", ".join(s.name for s in u.scopes(Role.ENUMERATOR) if s) for u in enumerators}
    return render_template("field/supervisor.html", enumerators=enumerators, progress=progress,
                           areas=areas)
