"""Self-assessment for unit editors and appraisal for the council (*tự đánh giá*, *thẩm định*)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from survey_app import queries
from survey_app.extensions import db
from survey_app.access import roles_required
from survey_app.campaigns import council
from survey_app.i18n import _
from survey_app.models import AssessmentStatus, Role, Score, SelfAssessment
from survey_app.models.base import utcnow
from survey_app.results.points import unit_points
from survey_app.units.results import results_open
from survey_app.units import bp, state
from survey_app.units.context import appraises, load, require
from survey_app.units.forms import RecogniseAllForm, RoundForm, parse_points, self_assessment_form


def _my_rows(role: Role) -> list[dict]:
    rows = []
    for campaign in queries.campaigns():
        for cu in queries.campaign_units(campaign):
            if (appraises(campaign, cu.unit) if role is Role.APPRAISER
                    else current_user.can_reach(role, cu.unit)):
                rows.append({"campaign": campaign, "cu": cu,
                             "assessment": queries.assessment(campaign, cu.unit)})
    return rows


@bp.route("/")
@roles_required(Role.UNIT_EDITOR)
def index():
    return render_template("units/index.html", rows=_my_rows(Role.UNIT_EDITOR), editor=True)


@bp.route("/appraisal")
@roles_required(Role.APPRAISER)
def appraisal():
    councils = [(c, state.current_round(c), state.next_step(c), RoundForm(step=state.next_step(c)))
                for c in queries.campaigns() if current_user.can_reach(Role.APPRAISER, c.province)]
    return render_template("units/appraisal.html", rows=_my_rows(Role.APPRAISER), councils=councils)


def _initial(ctx) -> dict:
    data = {}
    for node_id, score in ctx.scores().items():
        data[f"p_{node_id}"] = "" if score.self_points is None else f"{score.self_points.normalize():f}"
        data[f"e_{node_id}"] = score.explanation or ""
    return data


def _page(ctx, form, status: int = 200):
    scores = ctx.scores()
    lock = state.self_lock_reason(ctx.campaign, ctx.assessment)
    open_round = state.appraisal_round(ctx.campaign, ctx.assessment)
    return render_template(
        "units/assessment.html", ctx=ctx, campaign=ctx.campaign, unit=ctx.unit, form=form,
        nodes=ctx.nodes(), scores=scores, lock=lock, round=state.current_round(ctx.campaign),
        open_round=open_round, reply_round=state.reply_round(ctx.campaign, ctx.assessment),
        points=unit_points(ctx.campaign, ctx.unit) if ctx.assessment else None,
        results_open=ctx.editor and results_open(ctx.campaign),
        recognise_form=RecogniseAllForm() if ctx.appraiser and open_round else None,
        sign_off=council.sign_offs(ctx.campaign).get(ctx.unit.id), final_round=state.FINAL_ROUND,
        note=(ctx.campaign.framework.settings or {}).get("province_choice_note", {})), status


@bp.route("/<campaign_code>/<unit_code>")
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def assessment(campaign_code: str, unit_code: str):
    ctx = load(campaign_code, unit_code)
    form = self_assessment_form(ctx.nodes(), ctx.default_step, data=_initial(ctx))
    return _page(ctx, form)


def _missing_points(ctx, form) -> list:
    return [n for n in ctx.nodes() if not (form[f"p_{n.id}"].data or "").strip()]


def _write_scores(ctx, form, submit: bool) -> None:
    found = ctx.assessment or SelfAssessment(campaign_id=ctx.campaign.id, unit=ctx.unit)
    db.session.add(found)
    scores = {s.node_id: s for s in found.scores}
    for node in ctx.nodes():
        score = scores.get(node.id)
        if score is None:
            score = Score(node=node)
            found.scores.append(score)
            db.session.add(score)
        score.self_points = parse_points(form[f"p_{node.id}"].data)
        score.explanation = (form[f"e_{node.id}"].data or "").strip() or None
    if submit:
        found.status, found.submitted_at = AssessmentStatus.SUBMITTED, utcnow()
    db.session.commit()


@bp.route("/<campaign_code>/<unit_code>", methods=["POST"])
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def save_assessment(campaign_code: str, unit_code: str):
    """Save the draft or submit it; nothing is written unless every value is valid."""
    ctx = load(campaign_code, unit_code)
    require(ctx.editor)
    lock = state.self_lock_reason(ctx.campaign, ctx.assessment)
    if lock:
        state.refuse(lock)
    form = self_assessment_form(ctx.nodes(), ctx.default_step, formdata=request.form)
    if not form.validate():
        return _page(ctx, form, 400)
    submit = bool(form.submit_final.data)
    missing = _missing_points(ctx, form) if submit else []
    for node in missing:
        form[f"p_{node.id}"].errors.append(_("Enter the points before submitting."))
    if missing:
        return _page(ctx, form, 400)
    _write_scores(ctx, form, submit)
    flash(_("The self-assessment was submitted.") if submit else _("The draft was saved."), "success")
    return redirect(url_for("units.assessment", campaign_code=campaign_code, unit_code=unit_code))
