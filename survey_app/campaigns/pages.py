"""The campaign pages: create, the status, each step's confirmation, deadlines, reopening, the council."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey_app import queries
from survey_app.access import roles_required
from survey_app.campaigns import changes, council, lifecycle
from survey_app.campaigns.creation import CampaignRefused, CampaignSpec, create_campaign, parse_sampling_plan
from survey_app.campaigns.forms import AdvanceForm, AssignForm, CreateForm, ExtendForm, MemberForm, ReopenForm
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import (AdminUnit, CampaignStatus, Framework, Questionnaire, Role, UnitLevel, User,
                               UserRole, VersionStatus)
from survey_app.units import state
from survey_app.units.context import appraises

bp = Blueprint("campaigns", __name__)
STAFF = (Role.ADMIN, Role.ANALYST)


@bp.app_template_filter()
def deadline_label(target: str) -> str:
    return changes.deadline_label(target) if target != "status" else _("status")


@bp.app_template_filter()
def change_label(kind: str) -> str:
    return {"advance": _("step taken"), "extend": _("deadline extended"),
            "reopen": _("self-assessment reopened")}.get(kind, kind)


def _campaign_for_council(code: str):
    """The campaign, for staff or an appraiser of its province (403 for others)."""
    campaign = queries.campaign_or_404(code)
    if not (current_user.has_role(*STAFF) or current_user.can_reach(Role.APPRAISER, campaign.province)):
        abort(403)
    return campaign


@bp.route("/")
@roles_required(*STAFF)
def index():
    return render_template("campaigns/index.html", campaigns=queries.campaigns())


def _create_choices(form: CreateForm) -> None:
    provinces = db.session.scalars(select(AdminUnit).join(UnitLevel).where(UnitLevel.code == "province")
                                   .order_by(AdminUnit.code, AdminUnit.valid_from))
    form.province.choices = [SelectChoice(u.code, f"{u.code} · {u.name}") for u in provinces]
    frameworks = db.session.scalars(select(Framework).order_by(Framework.code, Framework.version))
    form.framework.choices = [SelectChoice(f"{f.code}:{f.version}", f"{f.title} ({f.version})") for f in frameworks]
    levels = db.session.scalars(select(UnitLevel).where(UnitLevel.code != "province").order_by(UnitLevel.rank))
    form.levels.choices = [SelectChoice(lvl.code, lvl.name_vi) for lvl in levels]
    published = db.session.scalars(select(Questionnaire).where(Questionnaire.versions.any(
        status=VersionStatus.PUBLISHED)).order_by(Questionnaire.form_id))
    forms = [SelectChoice("", _("— none —"))] + [SelectChoice(q.form_id, f"{q.form_id} · {q.title}") for q in published]
    form.citizens.choices, form.staff.choices = forms, list(forms)


def _spec(form: CreateForm) -> CampaignSpec:
    return CampaignSpec(
        code=form.code.data.strip(), title=form.title.data, year=form.year.data, province_code=form.province.data,
        framework=form.framework.data, levels=form.levels.data,
        unit_codes=[c.strip() for c in (form.units.data or "").replace("\n", ",").split(",") if c.strip()],
        questionnaires={a: getattr(form, a).data for a in ("citizens", "staff") if getattr(form, a).data},
        self_assessment_deadline=form.self_assessment_deadline.data,
        round_deadlines=[form.round_1.data, form.round_2.data], fieldwork_start=form.fieldwork_start.data,
        fieldwork_end=form.fieldwork_end.data, sampling_plan=parse_sampling_plan(form.sampling_plan.data))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def create():
    form = CreateForm()
    _create_choices(form)
    problems = []
    if form.validate_on_submit():
        try:
            campaign = create_campaign(_spec(form))
        except ValueError as exc:  # a bad sampling plan or CampaignRefused
            db.session.rollback()
            problems = getattr(exc, "problems", [str(exc)])
        else:
            flash(_("Campaign %(code)s created in draft.", code=campaign.code), "success")
            return redirect(url_for("campaigns.status", code=campaign.code))
    status = 422 if form.errors or problems else 200
    return render_template("campaigns/create.html", form=form, problems=problems), status


@bp.route("/<code>")
@roles_required(*STAFF, Role.APPRAISER)
def status(code: str):
    campaign = _campaign_for_council(code)
    return render_template("campaigns/status.html", campaign=campaign, report=lifecycle.report(campaign),
                           deadlines={t: changes.deadline(campaign, t) for t in changes.DEADLINES},
                           history=changes.history(campaign), staff=current_user.has_role(*STAFF))


def _may_advance(campaign) -> bool:
    if current_user.has_role(*STAFF):
        return True
    return campaign.status is CampaignStatus.APPRAISAL and current_user.can_reach(Role.APPRAISER, campaign.province)


@bp.route("/<code>/advance", methods=["GET", "POST"])
@roles_required(*STAFF, Role.APPRAISER)
def advance(code: str):
    """The confirmation page of the next step: what it locks, what is not done, what stops it."""
    campaign = _campaign_for_council(code)
    if not _may_advance(campaign):
        abort(403)
    step = lifecycle.transition(campaign)
    form = AdvanceForm(expected=campaign.status.value)
    if form.validate_on_submit():
        try:
            expected = CampaignStatus(form.expected.data)
        except ValueError:
            abort(400)
        try:
            new = lifecycle.advance(campaign, expected, form.reason.data or "")
        except CampaignRefused as exc:
            db.session.rollback()
            return render_template("campaigns/advance.html", campaign=campaign, step=lifecycle.transition(campaign),
                                   form=form, problems=exc.problems), 409
        flash(_("The campaign is now in %(status)s.", status=_status(new)), "success")
        return redirect(url_for("campaigns.status", code=campaign.code))
    code_ = 409 if step.blockers else 200
    return render_template("campaigns/advance.html", campaign=campaign, step=step, form=form, problems=[]), code_


def _status(value) -> str:
    from survey_app.formatting import status_label
    return status_label(value)


@bp.route("/<code>/deadlines", methods=["GET", "POST"])
@roles_required(*STAFF)
def deadlines(code: str):
    campaign = queries.campaign_or_404(code)
    form = ExtendForm()
    form.deadline.choices = [SelectChoice(t, changes.deadline_label(t)) for t in changes.DEADLINES]
    problems = []
    if form.validate_on_submit():
        try:
            changes.extend_deadline(campaign, form.deadline.data, form.new_date.data, form.reason.data)
        except CampaignRefused as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            flash(_("The deadline was extended."), "success")
            return redirect(url_for("campaigns.status", code=campaign.code))
    return _change_page("campaigns/deadlines.html", campaign, form, problems,
                        current={t: changes.deadline(campaign, t) for t in changes.DEADLINES})


def _change_page(template, campaign, form, problems, **extra):
    status_code = 422 if (form.errors or problems) else 200
    return render_template(template, campaign=campaign, form=form, problems=problems, **extra), status_code


@bp.route("/<code>/reopen", methods=["GET", "POST"])
@roles_required(*STAFF)
def reopen(code: str):
    campaign = queries.campaign_or_404(code)
    form = ReopenForm()
    form.unit.choices = [SelectChoice(cu.unit.code, f"{cu.unit.code} · {cu.unit.name}")
                         for cu in queries.campaign_units(campaign)]
    problems = []
    if form.validate_on_submit():
        try:
            changes.reopen(campaign, form.unit.data, form.until.data, form.reason.data)
        except CampaignRefused as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            flash(_("The self-assessment was reopened."), "success")
            return redirect(url_for("campaigns.status", code=campaign.code))
    return _change_page("campaigns/reopen.html", campaign, form, problems)


def _council_forms(campaign):
    members = council.members(campaign)
    appraisers = db.session.scalars(select(User).join(UserRole).where(UserRole.role == Role.APPRAISER)
                                    .order_by(User.username).distinct())
    member_form, assign_form = MemberForm(prefix="m"), AssignForm(prefix="a")
    member_form.username.choices = [SelectChoice(u.username, f"{u.full_name} ({u.username})") for u in appraisers]
    assign_form.member.choices = [SelectChoice(m.user.username, m.user.full_name or m.user.username) for m in members]
    assign_form.units.choices = [SelectChoice(cu.unit.code, f"{cu.unit.code} · {cu.unit.name}")
                                 for cu in queries.campaign_units(campaign)]
    return members, member_form, assign_form


@bp.route("/<code>/council", methods=["GET", "POST"])
@roles_required(*STAFF)
def council_page(code: str):
    """Members of the appraisal council and the units given to each."""
    campaign = queries.campaign_or_404(code)
    members, member_form, assign_form = _council_forms(campaign)
    problems = []
    try:
        if "m-username" in request.form and member_form.validate_on_submit():
            council.add_member(campaign, member_form.username.data)
            flash(_("The appraiser joined the council."), "success")
            return redirect(url_for("campaigns.council_page", code=code))
        if "a-member" in request.form and assign_form.validate_on_submit():
            council.assign(campaign, assign_form.member.data, assign_form.units.data)
            flash(_("The units were assigned."), "success")
            return redirect(url_for("campaigns.council_page", code=code))
    except CampaignRefused as exc:
        db.session.rollback()
        problems = exc.problems
    errors = problems or member_form.errors or assign_form.errors
    return render_template("campaigns/council.html", campaign=campaign, members=members,
                           member_form=member_form, assign_form=assign_form, problems=problems,
                           assignments=council.assignments(campaign), signoffs=council.sign_offs(campaign),
                           units=queries.campaign_units(campaign)), 422 if errors else 200


@bp.route("/<code>/units/<unit_code>/sign-off", methods=["POST"])
@roles_required(Role.APPRAISER)
def sign_off(code: str, unit_code: str):
    """The unit's appraiser signs its complete decisions off (or takes the sign-off back)."""
    from survey_app.campaigns.forms import SignOffForm

    campaign = queries.campaign_or_404(code)
    unit = queries.unit_by_code(unit_code, campaign.year)
    if unit is None or unit.id not in {cu.unit_id for cu in queries.campaign_units(campaign)}:
        abort(404)
    if not appraises(campaign, unit):
        abort(403)
    form = SignOffForm()
    if not form.validate() or form.action.data not in ("sign", "withdraw"):
        abort(400)
    round_ = state.current_round(campaign)
    final = round_ if round_ is not None and round_.number == state.FINAL_ROUND else None
    try:
        if form.action.data == "withdraw":
            council.withdraw_sign_off(campaign, unit, final)
            flash(_("The sign-off was withdrawn."), "success")
        else:
            council.sign_off(campaign, unit, current_user, final)
            flash(_("%(unit)s is signed off.", unit=unit.name), "success")
    except CampaignRefused as exc:
        db.session.rollback()
        return render_template("error.html", code=409, message=" ".join(exc.problems)), 409
    return redirect(url_for("units.assessment", campaign_code=code, unit_code=unit_code))
