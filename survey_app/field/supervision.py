"""The supervisor's pages: the dashboard, reviewing interviews, devices and enumerator accounts.

Every page is limited to the supervisor's area: enumerators whose scope lies in it, and
submissions and cases of units in it.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp, dashboard
from survey_app.field.conflict_pages import open_conflict_count
from survey_app.field.forms import ActionForm, EnumeratorForm, ReviewForm
from survey_app.field.tokens import revoke
from survey_app.i18n import _
from survey_app.models import (AdminUnit, DeviceToken, QualityFlag, ReviewComment, ReviewState, Role,
                               Submission, User, UserRole)


def enumerators_in_scope() -> list[User]:
    users = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.ENUMERATOR).order_by(User.username))
    return [u for u in users.unique()
            if any(scope is not None and current_user.can_reach(Role.SUPERVISOR, scope)
                   for scope in u.scopes(Role.ENUMERATOR))]


def supervised_submission(submission_id: int) -> Submission:
    found = db.session.get(Submission, submission_id)
    if found is None:
        abort(404)
    if not current_user.can_reach(Role.SUPERVISOR, found.unit):
        abort(403)
    return found


@bp.route("/supervision")
@roles_required(Role.SUPERVISOR)
def supervisor():
    enumerators = enumerators_in_scope()
    rows, areas = dashboard.figures(enumerators)
    scopes = {u.id: ", ".join(s.name for s in u.scopes(Role.ENUMERATOR) if s) for u in enumerators}
    return render_template("field/supervisor.html", enumerators=enumerators, rows=rows, areas=areas,
                           scopes=scopes, open_conflicts=open_conflict_count(), modes=_modes_in_reach())


def _modes_in_reach() -> list[tuple]:
    """Per campaign in reach: [(unit, counts per mode)] for the user's units that have any."""
    from survey_app.field.scope import reachable_campaigns, supervised_unit_ids
    from survey_app.invitations.modes import mode_counts
    mine = set(supervised_unit_ids())
    out = []
    for campaign in reachable_campaigns():
        counts = {u: c for u, c in mode_counts(campaign).items() if u in mine}
        if counts:
            units = {u.id: u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.id.in_(list(counts))))}
            out.append((campaign, sorted(((units[u], c) for u, c in counts.items()), key=lambda p: p[0].code)))
    return out


@bp.route("/supervision/submissions")
@roles_required(Role.SUPERVISOR)
def submissions():
    """Interviews of the area, newest first, filtered by review state or flagged only."""
    enumerators = enumerators_in_scope()
    ids = [u.id for u in enumerators]
    query = select(Submission).where(Submission.enumerator_id.in_(ids)).order_by(Submission.id.desc())
    state = request.args.get("state", "")
    if state in {s.value for s in ReviewState}:
        query = query.where(Submission.review_state == ReviewState(state))
    if request.args.get("flagged"):
        query = query.where(Submission.id.in_(select(QualityFlag.submission_id)))
    found = list(db.session.scalars(query.limit(300)))
    flags = _flags_of([s.id for s in found])
    return render_template("field/submissions.html", submissions=found, flags=flags, state=state,
                           states=list(ReviewState), flagged=bool(request.args.get("flagged")),
                           names={u.id: u.full_name or u.username for u in enumerators})


def _flags_of(ids: list[int]) -> dict[int, list[QualityFlag]]:
    flags: dict[int, list[QualityFlag]] = {}
    if ids:
        for flag in db.session.scalars(select(QualityFlag).where(QualityFlag.submission_id.in_(ids))
                                       .order_by(QualityFlag.id)):
            flags.setdefault(flag.submission_id, []).append(flag)
    return flags


@bp.route("/supervision/submissions/<int:submission_id>", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def review(submission_id: int):
    """Read an interview, its paradata, flags and history; comment and move its review state."""
    found = supervised_submission(submission_id)
    form = ReviewForm()
    form.question.choices = [SelectChoice("", "—")] + [SelectChoice(key, key) for key in found.answers]
    if form.validate_on_submit():
        state = ReviewState(form.state.data) if form.state.data else None
        db.session.add(ReviewComment(submission=found, author_id=current_user.id, body=form.body.data,
                                     state_to=state, question=form.question.data if form.question.data in found.answers else None))
        if state is not None:
            found.review_state = state
        db.session.commit()
        flash(_("Your review is saved."), "success")
        return redirect(url_for("field.review", submission_id=found.id))
    status = 422 if form.errors else 200
    return render_template("field/review.html", submission=found, form=form,
                           flags=_flags_of([found.id]).get(found.id, [])), status


@bp.route("/supervision/devices")
@roles_required(Role.SUPERVISOR)
def devices():
    enumerators = {u.id: u for u in enumerators_in_scope()}
    rows = list(db.session.scalars(select(DeviceToken).where(DeviceToken.user_id.in_(list(enumerators)))
                                   .order_by(DeviceToken.id.desc())))
    return render_template("field/devices.html", devices=rows, form=ActionForm())


@bp.route("/supervision/devices/<int:device_id>/revoke", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def revoke_device(device_id: int):
    row = db.session.get(DeviceToken, device_id)
    if row is None:
        abort(404)
    if row.user_id not in {u.id for u in enumerators_in_scope()}:
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    revoke(row)
    db.session.commit()
    flash(_("The device can no longer send interviews."), "success")
    return redirect(url_for("field.devices"))


def _area_units() -> list[AdminUnit]:
    """Units a supervisor may give an enumerator: their scopes and everything below."""
    units = db.session.scalars(select(AdminUnit).order_by(AdminUnit.code))
    return [u for u in units if current_user.can_reach(Role.SUPERVISOR, u)]


@bp.route("/supervision/enumerators/new", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def new_enumerator():
    """Create an enumerator account scoped to a unit of the supervisor's area."""
    form = EnumeratorForm()
    form.unit.choices = [SelectChoice(u.id, f"{u.code} · {u.name}") for u in _area_units()]
    if form.validate_on_submit():
        if db.session.scalar(select(User).where(User.username == form.username.data)):
            form.username.errors.append(_("This username is taken."))
        else:
            user = User(username=form.username.data, full_name=form.full_name.data)
            user.set_password(form.password.data)
            user.roles.append(UserRole(role=Role.ENUMERATOR, unit_id=form.unit.data))
            db.session.add(user)
            db.session.commit()
            flash(_("The enumerator account is created."), "success")
            return redirect(url_for("field.supervisor"))
    return render_template("field/new_enumerator.html", form=form), 422 if form.errors else 200


@bp.app_template_filter("flag_label")
def _flag_label(rule: str) -> str:
    from survey_app.quality.labels import flag_label
    return flag_label(rule)
