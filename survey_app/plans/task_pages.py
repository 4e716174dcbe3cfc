"""The Department's pages for a plan's targets and tasks: add and delete targets, draft tasks from
the planner, add, edit and delete tasks."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.plans import bp
from survey_app.plans.base import PlanRefused, plan_or_404, task_or_404
from survey_app.plans.forms import DraftForm, TargetForm, TaskForm
from survey_app.plans.pages import DEPARTMENT, render_plan, unit_choices
from survey_app.plans.targets import add_target, delete_target
from survey_app.plans.tasks import delete_task, draft_tasks, save_task


@bp.route("/<code>/targets", methods=["POST"])
@roles_required(*DEPARTMENT)
def add_target_page(code: str):
    plan = plan_or_404(code)
    form = TargetForm()
    try:
        add_target(plan, form.unit.data, form.kind.data, form.value.data, form.subject.data,
                   form.national_index.data, form.note.data)
    except PlanRefused as exc:
        db.session.rollback()
        return render_plan(plan, form, exc.message, exc.status)
    flash(_("Target added."), "success")
    return redirect(url_for("plans.plan", code=code) + "#targets")


@bp.route("/<code>/targets/<int:target_id>/delete", methods=["POST"])
@roles_required(*DEPARTMENT)
def delete_target_page(code: str, target_id: int):
    plan = plan_or_404(code)
    try:
        delete_target(plan, target_id)
    except PlanRefused as exc:
        return render_plan(plan, problem=exc.message, status=exc.status)
    flash(_("Target deleted."), "success")
    return redirect(url_for("plans.plan", code=code) + "#targets")


@bp.route("/<code>/draft", methods=["GET", "POST"])
@roles_required(*DEPARTMENT)
def draft(code: str):
    plan = plan_or_404(code)
    form = DraftForm()
    form.lead_unit.choices = [SelectChoice("", _("Each unit leads its own task"))] + unit_choices(plan)
    if not form.is_submitted():
        form.deadline.data = f"{plan.year}-09-30"
        return render_template("plans/draft.html", plan=plan, form=form, problem=None)
    try:
        made = draft_tasks(plan, form.mode.data, (form.units.data or "").split(), form.per_level.data,
                           form.per_unit.data, form.lead_unit.data or None, (form.deadline.data or "").strip() or None)
    except PlanRefused as exc:
        db.session.rollback()
        return render_template("plans/draft.html", plan=plan, form=form, problem=exc.message), exc.status
    flash(_("%(count)s draft tasks added from the planner.", count=len(made)), "success")
    return redirect(url_for("plans.plan", code=code) + "#tasks")


def _task_values(form: TaskForm) -> dict:
    return {name: getattr(form, name).data for name in (
        "title", "description", "criteria", "lead_unit", "partners", "deadline", "expected_points",
        "national_index", "national_component")}


def _task_page(plan, task, form, problem=None, status=200):
    form.lead_unit.choices = unit_choices(plan)
    return render_template("plans/task.html", plan=plan, task=task, form=form, problem=problem), status


@bp.route("/<code>/tasks/new", methods=["GET", "POST"])
@roles_required(*DEPARTMENT)
def new_task(code: str):
    plan = plan_or_404(code)
    form = TaskForm()
    if not form.is_submitted():
        form.deadline.data = f"{plan.year}-09-30"
        return _task_page(plan, None, form)
    try:
        task = save_task(plan, None, _task_values(form))
    except PlanRefused as exc:
        db.session.rollback()
        return _task_page(plan, None, form, exc.message, exc.status)
    flash(_("Task %(number)s added.", number=task.number), "success")
    return redirect(url_for("plans.plan", code=code) + "#tasks")


@bp.route("/<code>/tasks/<int:number>", methods=["GET", "POST"])
@roles_required(*DEPARTMENT)
def task(code: str, number: int):
    plan = plan_or_404(code)
    found = task_or_404(plan, number)
    form = TaskForm()
    if not form.is_submitted():
        form.process(data={
            "title": found.title, "description": found.description, "lead_unit": found.lead_unit.code,
            "criteria": " ".join(c.node.code for c in found.criteria),
            "partners": " ".join(p.unit.code for p in found.partners), "deadline": found.deadline.isoformat(),
            "expected_points": "" if found.expected_points is None else format(found.expected_points.normalize(), "f"),
            "national_index": found.national_index.value if found.national_index else "",
            "national_component": found.national_component or ""})
        return _task_page(plan, found, form)
    try:
        save_task(plan, found, _task_values(form))
    except PlanRefused as exc:
        db.session.rollback()
        return _task_page(plan, found, form, exc.message, exc.status)
    flash(_("Task %(number)s saved.", number=number), "success")
    return redirect(url_for("plans.plan", code=code) + "#tasks")


@bp.route("/<code>/tasks/<int:number>/delete", methods=["POST"])
@roles_required(*DEPARTMENT)
def delete_task_page(code: str, number: int):
    plan = plan_or_404(code)
    try:
        delete_task(plan, task_or_404(plan, number))
    except PlanRefused as exc:
        return render_plan(plan, problem=exc.message, status=exc.status)
    flash(_("Task %(number)s deleted.", number=number), "success")
    return redirect(url_for("plans.plan", code=code) + "#tasks")
