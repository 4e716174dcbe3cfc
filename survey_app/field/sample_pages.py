"""Sample pages for supervisors and administrators (*danh sách mẫu*): the lists of their
campaigns, each list's cases in their area, bulk assignment and replacements."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.forms import ActionForm
from survey_app.field.sample_forms import AssignForm, RespondentsForm
from survey_app.field.scope import (campaign_in_reach, can_supervise, reachable_campaigns,
                                    supervised_enumerators, supervised_unit_ids)
from survey_app.i18n import _, ngettext
from survey_app.models import Assignment, Campaign, Role, SampleCase, SampleList
from survey_app.samples import SampleRefused
from survey_app.samples.fieldwork import assign, replace, replacement_rule

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
CASES_SHOWN = 2000


def _sample_or_404(sample_id: int) -> SampleList:
    sample = db.session.get(SampleList, sample_id)
    if sample is None:
        abort(404)
    if not campaign_in_reach(db.session.get(Campaign, sample.campaign_id)):
        abort(403)
    return sample


@bp.route("/supervision/samples")
@roles_required(*SUPERVISORS)
def samples():
    """The sample lists of the campaigns in reach, with their cases in the user's area."""
    campaigns = reachable_campaigns()
    units = supervised_unit_ids()
    counts = dict(db.session.execute(
        select(SampleCase.sample_list_id, func.count()).where(SampleCase.unit_id.in_(units))
        .group_by(SampleCase.sample_list_id)).all()) if units else {}
    lists = list(db.session.scalars(select(SampleList).where(
        SampleList.campaign_id.in_([c.id for c in campaigns])).order_by(SampleList.id.desc())))
    return render_template("field/samples.html", lists=lists, counts=counts,
                           campaigns={c.id: c for c in campaigns})


def _page(sample: SampleList, form: AssignForm, errors: list[str] | None = None, status: int = 200,
          respondents: RespondentsForm | None = None):
    """The list's cases in the user's area, the assignment form and the replacement buttons."""
    cases = list(db.session.scalars(
        select(SampleCase).where(SampleCase.sample_list_id == sample.id,
                                 SampleCase.unit_id.in_(supervised_unit_ids()))
        .options(selectinload(SampleCase.assignment).selectinload(Assignment.enumerator),
                 selectinload(SampleCase.unit), selectinload(SampleCase.attempts))
        .order_by(SampleCase.stratum, SampleCase.cluster, SampleCase.id).limit(CASES_SHOWN)))
    campaign = db.session.get(Campaign, sample.campaign_id)
    rule = replacement_rule(campaign.sampling_plan) or {}
    from survey_app.invitations.cases import letters_of
    plan = campaign.sampling_plan or {}
    respondents = respondents or RespondentsForm(respondents=plan.get("respondents_per_household") or 1)
    return render_template("field/sample.html", sample=sample, cases=cases, form=form, respondents=respondents,
                           plans_household=can_supervise(campaign.province),
                           letters=letters_of([c.id for c in cases]), replaced_labels=_labels_of(cases),
                           action=ActionForm(), errors=errors or [], campaign=campaign,
                           replaceable=set(rule.get("allowed_after", [])),
                           ticked={int(c) for c in request.form.getlist("cases") if c.isdigit()}), status


def _labels_of(cases: list[SampleCase]) -> dict[int, str]:
    """The households that replaced these cases, by id: the page names them, never an id."""
    ids = [c.replaced_by_id for c in cases if c.replaced_by_id]
    return dict(db.session.execute(select(SampleCase.id, SampleCase.label).where(SampleCase.id.in_(ids))).all()) if ids else {}


def _assign_form() -> AssignForm:
    form = AssignForm()
    form.enumerator.choices = [SelectChoice(u.id, f"{u.full_name} ({u.username})")
                               for u in supervised_enumerators()]
    return form


@bp.route("/supervision/samples/<int:sample_id>")
@roles_required(*SUPERVISORS)
def sample(sample_id: int):
    return _page(_sample_or_404(sample_id), _assign_form())


def _ticked_cases(sample: SampleList) -> list[SampleCase]:
    """The ticked cases; 403 when one is outside the list or the user's area."""
    ids = {int(v) for v in request.form.getlist("cases") if v.isdigit()}
    cases = list(db.session.scalars(select(SampleCase).where(SampleCase.id.in_(ids)))) if ids else []
    if len(cases) != len(ids) or any(c.sample_list_id != sample.id or not can_supervise(c.unit) for c in cases):
        abort(403)
    return cases


@bp.route("/supervision/samples/<int:sample_id>/assign", methods=["POST"])
@roles_required(*SUPERVISORS)
def assign_cases(sample_id: int):
    """Give the ticked cases to one enumerator of the user's area: all of them or none."""
    sample = _sample_or_404(sample_id)
    form = _assign_form()
    if not form.validate_on_submit():
        return _page(sample, form, status=422)
    enumerator = {u.id: u for u in supervised_enumerators()}.get(form.enumerator.data)
    cases = _ticked_cases(sample)
    if enumerator is None:
        return _page(sample, form, [_("Choose an enumerator of your area.")], 422)
    if not cases:
        return _page(sample, form, [_("Tick at least one case.")], 422)
    try:
        changed = assign(cases, enumerator)
    except SampleRefused as exc:
        db.session.rollback()
        return _page(sample, form, exc.errors, 422)
    db.session.commit()
    flash(ngettext("%(num)d case is given to %(name)s.", "%(num)d cases are given to %(name)s.",
                   changed, name=enumerator.full_name), "success")
    return redirect(url_for("field.sample", sample_id=sample.id))


@bp.route("/supervision/cases/<int:case_id>/replace", methods=["POST"])
@roles_required(*SUPERVISORS)
def replace_case(case_id: int):
    """Replace a case from the reserve list, following the campaign's rule."""
    case = db.session.get(SampleCase, case_id)
    if case is None:
        abort(404)
    if not can_supervise(case.unit):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        found = replace(case)
    except SampleRefused as exc:
        db.session.rollback()
        return _page(case.sample_list, _assign_form(), exc.errors, 422)
    db.session.commit()
    flash(_("%(case)s is replaced by %(other)s.", case=case.label, other=found.label), "success")
    return redirect(url_for("field.sample", sample_id=case.sample_list_id))


@bp.app_template_filter("sample_method")
def _sample_method(method: str) -> str:
    labels = {"import": _("Imported"), "srs": _("Simple random"), "systematic": _("Systematic"),
              "pps": _("Probability proportional to size"), "reserve": _("Reserve")}
    return labels.get(method, method)


@bp.route("/supervision/samples/<int:sample_id>/respondents", methods=["POST"])
@roles_required(*SUPERVISORS)
def set_respondents(sample_id: int):
    """The campaign's respondents per household (sampling plan), for the whole province's
    supervisors and administrators: every case then takes up to that many interviews."""
    sample = _sample_or_404(sample_id)
    campaign = db.session.get(Campaign, sample.campaign_id)
    if not can_supervise(campaign.province):
        abort(403)
    form = RespondentsForm()
    if not form.validate_on_submit():
        return _page(sample, _assign_form(), status=422, respondents=form)
    campaign.sampling_plan = {**(campaign.sampling_plan or {}), "respondents_per_household": form.respondents.data}
    db.session.commit()
    flash(_("Each household now gives up to %(num)d interviews.", num=form.respondents.data), "success")
    return redirect(url_for("field.sample", sample_id=sample.id))
