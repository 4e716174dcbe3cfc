"""A plan's progress and dashboard as JSON. The progress of a period: the Department sees every
task, a unit editor the tasks of their own units (issued plans only); the dashboard is the
Department's (administrators and analysts). 401 without sign-in, 403 for other roles."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from survey_app.api import bp
from survey_app.models import Role
from survey_app.plans import dashboard, periods, progress


def _signed_in(*roles: Role) -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.has_role(*roles):
        abort(403)


def _period(plan):
    chosen = request.args.get("period", type=int)
    return periods.period_of(plan, chosen) if chosen else periods.current_period(plan)


@bp.route("/plans/<code>/progress")
def plan_progress(code: str):
    _signed_in(Role.ADMIN, Role.ANALYST, Role.UNIT_EDITOR)
    plan = progress.plan_for(code, current_user)
    return jsonify({"plan": plan.code, "periods": [
        {"id": period.id, "label": period.label, "kind": period.kind.value, "due_on": period.due_on.isoformat(),
         "closed": period.closed_at is not None, "tasks": [progress.json_row(r) for r in rows]}
        for period, rows in progress.unit_overview(current_user, plan)]})


@bp.route("/plans/<code>/dashboard")
def plan_dashboard(code: str):
    _signed_in(Role.ADMIN, Role.ANALYST)
    plan = progress.plan_for(code, current_user)
    period = _period(plan)
    if period is None:
        return jsonify({"plan": plan.code, "period": None})
    return jsonify({"plan": plan.code, **dashboard.json_dashboard(dashboard.dashboard(plan, period))})
