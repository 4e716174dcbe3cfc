"""The Department of Home Affairs' plan pages (administrators and analysts): the plans, a new
plan from published results, a plan with its targets, tasks and follow-up, its header, issuing
and closing. Each view parses the form, calls one service and renders."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from survey_app import queries
from survey_app.access import roles_required
from survey_app.i18n import _
from survey_app.models import CampaignStatus, Role
from survey_app.plans import bp
from survey_app.plans.base import PlanRefused, plan_or_404, plan_units, plans
from survey_app.plans.followup import follow_up
from survey_app.plans.forms import PlanForm, TargetForm
from survey_app.plans.periods import DEFAULT_DUE_DAY
from survey_app.plans.plans import (DEFAULT_PERIODS, HEADER, close_plan, create_plan, default_texts, issue_plan,
                                    update_plan)
from survey_app.refusals import Refused

DEPARTMENT = (Role.ADMIN, Role.ANALYST)


def published_campaigns():
    return [c for c in queries.campaigns() if c.status is CampaignStatus.PUBLISHED]


def unit_choices(plan) -> list[SelectChoice]:
    return [SelectChoice(u.code, f"{u.code} · {u.name}") for u in plan_units(plan)]


def render_plan(plan, target_form=None, problem=None, status=200):
    form = target_form or TargetForm()
    form.unit.choices = unit_choices(plan)
    return render_template("plans/plan.html", plan=plan, target_form=form, problem=problem,
                           followup=follow_up(plan)), status


@bp.route("/")
@roles_required(*DEPARTMENT)
def index():
    return render_template("plans/index.html", plans=plans(), campaigns=published_campaigns())


def _values(form: PlanForm) -> dict:
    return {k: getattr(form, k).data for k in HEADER}


def _new_page(form, problem=None, kinds=None, due_day=None):
    """The new plan's form; the reporting periods checked as posted (quarters and the year at first)."""
    kinds = [getattr(k, "value", k) for k in (DEFAULT_PERIODS if kinds is None else kinds)]
    return render_template("plans/new.html", form=form, problem=problem, kinds=kinds,
                           due_day=due_day or DEFAULT_DUE_DAY)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*DEPARTMENT)
def create():
    form = PlanForm()
    campaigns = published_campaigns()
    form.campaign.choices = [SelectChoice(c.code, f"{c.code} · {c.title}") for c in campaigns]
    if not form.is_submitted():
        chosen = queries.campaign_by_code(request.args.get("campaign", "")) or (campaigns[0] if campaigns else None)
        if chosen is not None:
            form.campaign.data, form.year.data = chosen.code, str(chosen.year + 1)
            form.code.data = f"KH-{chosen.province.code}-{chosen.year + 1}"
            for key, text in default_texts(chosen.province.name, chosen.year + 1, chosen.year).items():
                getattr(form, key).data = text
        return _new_page(form)
    kinds, due_day = request.form.getlist("kind"), request.form.get("due_day", "")
    try:
        plan = create_plan(form.campaign.data, form.code.data, current_user, year=form.year.data,
                           period_kinds=kinds, due_day=due_day, **_values(form))
    except Refused as exc:
        return _new_page(form, exc.message, kinds, due_day), exc.status
    flash(_("Plan %(code)s created as a draft.", code=plan.code), "success")
    return redirect(url_for("plans.plan", code=plan.code))


@bp.route("/<code>")
@roles_required(*DEPARTMENT)
def plan(code: str):
    return render_plan(plan_or_404(code))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(*DEPARTMENT)
def edit(code: str):
    found = plan_or_404(code)
    form = PlanForm(obj=found)
    if form.is_submitted():
        try:
            update_plan(found, **_values(form))
        except PlanRefused as exc:
            return render_template("plans/edit.html", plan=found, form=form, problem=exc.message), exc.status
        flash(_("The plan's header was saved."), "success")
        return redirect(url_for("plans.plan", code=found.code))
    form.issued_on.data = found.issued_on.isoformat() if found.issued_on else ""
    return render_template("plans/edit.html", plan=found, form=form, problem=None)


def _change_status(code: str, change, done: str):
    """Issue or close the plan (``change``), or show the plan page with why not."""
    found = plan_or_404(code)
    try:
        change(found)
    except PlanRefused as exc:
        return render_plan(found, problem=exc.message, status=exc.status)
    flash(done, "success")
    return redirect(url_for("plans.plan", code=code))


@bp.route("/<code>/issue", methods=["POST"])
@roles_required(*DEPARTMENT)
def issue(code: str):
    return _change_status(code, issue_plan, _("The plan is issued: units see their tasks."))


@bp.route("/<code>/close", methods=["POST"])
@roles_required(*DEPARTMENT)
def close(code: str):
    return _change_status(code, close_plan, _("The plan is closed: nothing in it changes any more."))


@bp.app_template_filter("plan_label")
def plan_label(key) -> str:
    """The translated name of a plan's status or a follow-up's verdict."""
    key = getattr(key, "value", key)
    return {"draft": _("Draft"), "issued": _("Issued"), "closed": _("Closed"), "met": _("Met"),
            "not_met": _("Not met"), "pending": _("Waiting for the survey results"),
            "unknown": _("No comparable result"), "gained": _("Gained"), "lost": _("Lost"),
            "same": _("Unchanged")}.get(key, key)


@bp.app_template_filter("target_label")
def target_label(kind) -> str:
    from survey_app.plans.targets import KIND_LABELS
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_filter("national_label")
def national_label(index) -> str:
    from survey_app.plans.national import label
    return label(index)


@bp.app_template_filter("target_value")
def target_value(target) -> str:
    """A target's value as the reader writes it (``80,5%``, ``3``, ``B``)."""
    from survey_app.formatting import points
    from survey_app.models import TargetKind
    percent = (TargetKind.INDEX_PERCENT, TargetKind.FIELD_PERCENT, TargetKind.SURVEY_INDICATOR)
    if target.kind in percent or target.kind is TargetKind.NATIONAL_SCORE:
        return points(float(target.value)) + ("%" if target.kind in percent else "")
    return target.value
