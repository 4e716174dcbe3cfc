"""One score: its evidence, the council's decisions, the unit's replies and its history."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from survey_app import filestore
from survey_app.access import roles_required
from survey_app.campaigns import guards
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import AppraisalComment, AppraisalRound, AuditEntry, Evidence, Role
from survey_app.units import bp, evidence, state
from survey_app.units.context import load, require, score_or_404
from survey_app.units.forms import (DecisionForm, EvidenceForm, RecogniseAllForm, ReplyForm,
                                    check_points, parse_points)


def history(score) -> list[AuditEntry]:
    """Every audited change of the score, its decisions and replies, and its evidence."""
    comment_ids = [c.id for c in _comments(score)]
    evidence_ids = [e.id for e in score.evidence]
    clauses = [(AuditEntry.entity == "score") & (AuditEntry.entity_id == score.id)]
    if comment_ids:
        clauses.append((AuditEntry.entity == "appraisal_comment") & AuditEntry.entity_id.in_(comment_ids))
    if evidence_ids:
        clauses.append((AuditEntry.entity == "evidence") & AuditEntry.entity_id.in_(evidence_ids))
    return list(db.session.scalars(select(AuditEntry).where(or_(*clauses))
                                   .order_by(AuditEntry.at, AuditEntry.id)))


def _comments(score) -> list[AppraisalComment]:
    return list(db.session.scalars(select(AppraisalComment).where(AppraisalComment.score_id == score.id)
                                   .order_by(AppraisalComment.at, AppraisalComment.id)))


def _page(ctx, score, status=200, **forms):
    can_attach = ctx.editor and (state.self_lock_reason(ctx.campaign, ctx.assessment) is None
                                 or state.reply_round(ctx.campaign, ctx.assessment) is not None)
    open_round = state.appraisal_round(ctx.campaign, ctx.assessment)
    reply_round = state.reply_round(ctx.campaign, ctx.assessment)
    return render_template(
        "units/score.html", ctx=ctx, campaign=ctx.campaign, unit=ctx.unit, score=score,
        comments=_comments(score), history=history(score), open_round=open_round,
        round_numbers=dict(db.session.execute(select(AppraisalRound.id, AppraisalRound.number).where(
            AppraisalRound.campaign_id == ctx.campaign.id)).all()),
        decision_form=forms.get("decision") or (DecisionForm() if ctx.appraiser and open_round else None),
        reply_form=forms.get("reply") or (ReplyForm() if ctx.editor and reply_round else None),
        evidence_form=forms.get("evidence") or (EvidenceForm() if can_attach else None)), status


def _back(ctx, score):
    return redirect(url_for("units.score", campaign_code=ctx.campaign.code, unit_code=ctx.unit.code,
                            node_code=score.node.code))


@bp.route("/<campaign_code>/<unit_code>/scores/<node_code>")
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def score(campaign_code, unit_code, node_code):
    ctx = load(campaign_code, unit_code)
    return _page(ctx, score_or_404(ctx, node_code))


def _decided_points(form, score):
    """The appraised points the form asks for, or a translated problem."""
    if form.decision.data == "recognise":
        if score.self_points is None:
            return None, _("There are no self-assessed points to recognise.")
        return score.self_points, None
    try:
        value = parse_points(form.points.data)
    except ValueError:
        return None, _("Enter a number of points, e.g. 0,75.")
    if value is None:
        return None, _("Enter the appraised points.")
    step = score.node.step or load_step(score)
    return value, check_points(value, score.node.max_points, step)


def load_step(score):
    from decimal import Decimal
    return Decimal(str((score.node.framework.settings or {}).get("default_step", "0.25")))


@bp.route("/<campaign_code>/<unit_code>/scores/<node_code>/decision", methods=["POST"])
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def decide(campaign_code, unit_code, node_code):
    """Recognise or adjust the appraised points; the self-assessed points are never touched."""
    ctx = load(campaign_code, unit_code)
    require(ctx.appraiser)
    found = score_or_404(ctx, node_code)
    round_ = state.appraisal_round(ctx.campaign, ctx.assessment)
    if round_ is None:
        state.refuse(_("No appraisal round is open for this unit."))
    form = DecisionForm()
    if not form.validate():
        return _page(ctx, found, 400, decision=form)
    value, problem = _decided_points(form, found)
    if problem:
        form.points.errors.append(problem)
        return _page(ctx, found, 400, decision=form)
    reason = form.reason.data.strip()
    found.appraised_points, found.appraisal_reason = value, reason
    db.session.add(AppraisalComment(score_id=found.id, round_id=round_.id, author_id=current_user.id,
                                    kind=form.decision.data, points=value, body=reason))
    db.session.commit()
    flash(_("The decision was recorded."), "success")
    return _back(ctx, found)


@bp.route("/<campaign_code>/<unit_code>/scores/<node_code>/reply", methods=["POST"])
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def reply(campaign_code, unit_code, node_code):
    ctx = load(campaign_code, unit_code)
    require(ctx.editor)
    found = score_or_404(ctx, node_code)
    round_ = state.reply_round(ctx.campaign, ctx.assessment)
    if round_ is None:
        state.refuse(_("Replies are accepted only while the appraisal waits for the units."))
    form = ReplyForm()
    if not form.validate():
        return _page(ctx, found, 400, reply=form)
    db.session.add(AppraisalComment(score_id=found.id, round_id=round_.id, author_id=current_user.id,
                                    kind="reply", body=form.body.data.strip()))
    db.session.commit()
    flash(_("The reply was sent."), "success")
    return _back(ctx, found)


@bp.route("/<campaign_code>/<unit_code>/scores/<node_code>/evidence", methods=["POST"])
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def attach(campaign_code, unit_code, node_code):
    """Attach a checked evidence file, while the unit may still score or reply."""
    ctx = load(campaign_code, unit_code)
    require(ctx.editor)
    found = score_or_404(ctx, node_code)
    if (state.self_lock_reason(ctx.campaign, ctx.assessment) is not None
            and state.reply_round(ctx.campaign, ctx.assessment) is None):
        state.refuse(_("Evidence can no longer be added to this score."))
    form = EvidenceForm()
    if not form.validate():
        return _page(ctx, found, 400, evidence=form)
    upload = form.file.data
    name, content = evidence.clean_filename(upload.filename), upload.read()
    try:
        content_type = evidence.check(name, content)
    except evidence.EvidenceRefused as exc:
        form.file.errors.append(str(exc))
        return _page(ctx, found, 400, evidence=form)
    digest = filestore.put(content)
    db.session.add(Evidence(score_id=found.id, filename=name, content_type=content_type,
                            size=len(content), sha256=digest, uploaded_by_id=current_user.id))
    db.session.commit()
    flash(_("The file was attached."), "success")
    return _back(ctx, found)


@bp.route("/<campaign_code>/<unit_code>/evidence/<int:evidence_id>")
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def download(campaign_code, unit_code, evidence_id):
    ctx = load(campaign_code, unit_code)
    found = db.session.get(Evidence, evidence_id)
    if found is None or found.score.assessment_id != getattr(ctx.assessment, "id", None):
        return render_template("error.html", code=404, message=_("This page does not exist.")), 404
    return filestore.send(found.sha256, found.content_type, found.filename)


@bp.route("/<campaign_code>/<unit_code>/recognise-all", methods=["POST"])
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def recognise_all(campaign_code, unit_code):
    """Recognise, with one reason, every score not yet decided in the open round; an earlier
    round's differing decision is listed first and kept unless the appraiser ticks it."""
    ctx = load(campaign_code, unit_code)
    require(ctx.appraiser)
    round_ = state.appraisal_round(ctx.campaign, ctx.assessment)
    if round_ is None:
        state.refuse(_("No appraisal round is open for this unit."))
    form = RecogniseAllForm()
    if not form.validate():
        return render_template("error.html", code=400, message=_("Give the reason for the decision.")), 400
    earlier = guards.earlier_decisions(ctx.assessment, round_)
    if earlier and not form.reviewed.data:
        return render_template("units/recognise_all.html", ctx=ctx, campaign=ctx.campaign, unit=ctx.unit,
                               form=form, earlier=earlier, round=round_)
    overwrite = {int(v) for v in request.form.getlist("overwrite") if v.isdigit()}
    count = guards.recognise_all(ctx.assessment, round_, current_user.id, form.reason.data.strip(), overwrite)
    flash(_("%(count)s scores were recognised.", count=count), "success")
    return redirect(url_for("units.assessment", campaign_code=campaign_code, unit_code=unit_code))
