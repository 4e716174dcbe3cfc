"""Pages of the reporting periods (the Department's) and of the progress reports (the lead units').

Each view parses the request, calls one service of :mod:`periods` or :mod:`progress` and renders;
bad input is a :class:`Refused` (its message on the error page, or on the report form).
"""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from survey_app import filestore
from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import Role
from survey_app.models.plans import PlanStatus, TaskProgress
from survey_app.plans import bp, periods, progress
from survey_app.refusals import Refused

DEPARTMENT = (Role.ADMIN, Role.ANALYST)
READERS = (Role.ADMIN, Role.ANALYST, Role.UNIT_EDITOR)


def _date(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise Refused(422, message=_("Enter the dates as day, month and year."))


def _int(value, message) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Refused(422, message=message)


@bp.route("/<code>/periods")
@roles_required(*DEPARTMENT)
def periods_page(code):
    plan = progress.plan_for(code, current_user)
    return render_template("plans/progress_periods.html", plan=plan, default_due_day=periods.DEFAULT_DUE_DAY)


@bp.route("/<code>/periods", methods=["POST"])
@roles_required(*DEPARTMENT)
def periods_create(code):
    plan = progress.plan_for(code, current_user)
    kinds = periods.parse_kinds(request.form.getlist("kind"))
    due_day = _int(request.form.get("due_day"), _("The due day must be between 1 and 28."))
    added = periods.create_periods(plan, kinds, due_day)
    flash(_("%(count)s reporting periods were added.", count=len(added)), "success")
    return redirect(url_for("plans.periods_page", code=plan.code))


@bp.route("/<code>/periods/<int:period_id>", methods=["POST"])
@roles_required(*DEPARTMENT)
def period_edit(code, period_id):
    plan = progress.plan_for(code, current_user)
    period = periods.period_of(plan, period_id)
    periods.edit_period(period, request.form.get("label", ""), _date("starts_on"), _date("ends_on"), _date("due_on"))
    flash(_("The period was saved."), "success")
    return redirect(url_for("plans.periods_page", code=plan.code))


@bp.route("/<code>/periods/<int:period_id>/close", methods=["POST"])
@roles_required(*DEPARTMENT)
def period_close(code, period_id):
    plan = progress.plan_for(code, current_user)
    periods.close_period(periods.period_of(plan, period_id))
    flash(_("The period was closed: its reports can no longer change."), "success")
    return redirect(url_for("plans.periods_page", code=plan.code))


@bp.route("/progress")
@roles_required(*READERS)
def progress_home():
    """The plans the user reports on (unit editors) or follows (the Department)."""
    return render_template("plans/progress_home.html", plans=progress.plans_of(current_user),
                           department=progress.is_department(current_user))


@bp.route("/<code>/progress")
@roles_required(*READERS)
def progress_page(code):
    plan = progress.plan_for(code, current_user)
    return render_template("plans/progress.html", plan=plan,
                           overview=progress.unit_overview(current_user, plan))


def _task_page(plan, period, task, status=200, message=None, posted=None):
    row = progress.rows([task], period)[0]
    may_report = (plan.status is PlanStatus.ISSUED and period.closed_at is None
                  and current_user.can_reach(Role.UNIT_EDITOR, task.lead_unit))
    return render_template("plans/progress_task.html", plan=plan, period=period, task=task, row=row,
                           statuses=list(TaskProgress), may_report=may_report, message=message,
                           posted=posted or {}), status


@bp.route("/<code>/progress/<int:period_id>/tasks/<int:number>")
@roles_required(*READERS)
def progress_task(code, period_id, number):
    plan = progress.plan_for(code, current_user)
    return _task_page(plan, periods.period_of(plan, period_id), progress.task_for(plan, number, current_user))


@bp.route("/<code>/progress/<int:period_id>/tasks/<int:number>", methods=["POST"])
@roles_required(Role.UNIT_EDITOR)
def progress_submit(code, period_id, number):
    plan = progress.plan_for(code, current_user)
    period = periods.period_of(plan, period_id)
    task = progress.task_for(plan, number, current_user)
    files = [(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]
    try:
        status = progress.parse_status(request.form.get("status", ""))
        progress.submit(task, period, current_user, status, request.form.get("account", ""), files)
    except Refused as exc:
        if exc.status in (403, 404, 409):
            raise
        db.session.rollback()
        return _task_page(plan, period, task, exc.status, exc.message, request.form)
    flash(_("The progress report was saved."), "success")
    return redirect(url_for("plans.progress_task", code=plan.code, period_id=period.id, number=task.number))


@bp.route("/<code>/evidence/<int:evidence_id>")
@roles_required(*READERS)
def progress_evidence(code, evidence_id):
    plan = progress.plan_for(code, current_user)
    found = progress.evidence_for(plan, evidence_id, current_user)
    return filestore.send(found.sha256, found.content_type, found.filename)
