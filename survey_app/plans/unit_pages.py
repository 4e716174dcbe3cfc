"""A unit's own tasks (unit editors): the tasks of issued plans its unit leads or cooperates on,
and accepting the ones it leads. Another unit's task is never shown nor accepted (403); a draft
plan's task does not exist for a unit (404)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from survey_app.access import require_unit, roles_required
from survey_app.i18n import _
from survey_app.models import PlanStatus, Role
from survey_app.plans import bp
from survey_app.plans.base import PlanRefused, plan_or_404, task_or_404
from survey_app.plans.plans import accept_task, tasks_for


@bp.route("/my-tasks")
@roles_required(Role.UNIT_EDITOR)
def unit_tasks():
    return render_template("plans/unit_tasks.html", rows=tasks_for(current_user))


@bp.route("/<code>/tasks/<int:number>/accept", methods=["POST"])
@roles_required(Role.UNIT_EDITOR)
def accept(code: str, number: int):
    plan = plan_or_404(code)
    if plan.status is PlanStatus.DRAFT:
        abort(404)
    task = task_or_404(plan, number)
    require_unit(Role.UNIT_EDITOR, task.lead_unit)
    try:
        accept_task(task, current_user)
    except PlanRefused as exc:
        return render_template("plans/unit_tasks.html", rows=tasks_for(current_user), problem=exc.message), exc.status
    flash(_("Task %(number)s of %(plan)s accepted.", number=number, plan=code), "success")
    return redirect(url_for("plans.unit_tasks"))
