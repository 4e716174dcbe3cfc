"""The supervisor's pages of sends kept aside (*phiếu gửi trùng mã*): the open ones of the area,
one side by side with the stored interview, and the decision on it.

Limited like the review pages: a conflict belongs to the unit of the interview it reuses the
UUID of, and only a supervisor reaching that unit may read or decide it.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.conflict_review import apply_kept, candidate, comparison, engine_of, keep_stored
from survey_app.field.forms import ConflictForm
from survey_app.i18n import _
from survey_app.models import AdminUnit, ConflictStatus, Role, Submission, SubmissionConflict


def _reached_unit_ids() -> list[int]:
    return [u.id for u in db.session.scalars(select(AdminUnit)) if current_user.can_reach(Role.SUPERVISOR, u)]


def _open_in_reach():
    return (select(SubmissionConflict).join(Submission, Submission.id == SubmissionConflict.submission_id)
            .where(SubmissionConflict.status == ConflictStatus.OPEN,
                   Submission.unit_id.in_(_reached_unit_ids())))


def open_conflict_count() -> int:
    """Open conflicts of the current supervisor's area (for the dashboard's link)."""
    return db.session.scalar(select(func.count()).select_from(_open_in_reach().subquery()))


def _supervised_conflict(conflict_id: int, for_update: bool = False) -> SubmissionConflict:
    found = db.session.get(SubmissionConflict, conflict_id, with_for_update=for_update)
    if found is None:
        abort(404)
    if not current_user.can_reach(Role.SUPERVISOR, found.submission.unit):
        abort(403)
    return found


@bp.route("/supervision/conflicts")
@roles_required(Role.SUPERVISOR)
def conflicts():
    """Open conflicts of the area, oldest first: each waits for a decision."""
    found = list(db.session.scalars(_open_in_reach().order_by(SubmissionConflict.received_at,
                                                               SubmissionConflict.id).limit(300)))
    return render_template("field/conflicts.html", conflicts=found)


def _page(conflict: SubmissionConflict, keep_form: ConflictForm, apply_form: ConflictForm,
          problems=(), status: int = 200):
    engine = engine_of(conflict)
    kept, refused = candidate(engine, conflict)
    return render_template("field/conflict.html", conflict=conflict,
                           rows=comparison(engine, conflict.submission.answers, kept),
                           refused=problems or refused, keep_form=keep_form, apply_form=apply_form), status


@bp.route("/supervision/conflicts/<int:conflict_id>")
@roles_required(Role.SUPERVISOR)
def conflict(conflict_id: int):
    return _page(_supervised_conflict(conflict_id), ConflictForm(prefix="keep"), ConflictForm(prefix="apply"))


def _decide(conflict_id: int, prefix: str, decide) -> object:
    """Validate the form of one decision and take it on an open conflict; the page again with
    the errors (422), or with the engine's problems (422), when nothing may change."""
    found = _supervised_conflict(conflict_id, for_update=True)
    forms = {"keep": ConflictForm(prefix="keep"), "apply": ConflictForm(prefix="apply")}
    if found.status is not ConflictStatus.OPEN:
        flash(_("This conflict is resolved already."), "error")
        return _page(found, forms["keep"], forms["apply"], status=409)
    form = forms[prefix]
    if not form.validate_on_submit():
        db.session.rollback()
        return _page(found, forms["keep"], forms["apply"], status=422)
    problems = decide(found, current_user.id, form.note.data.strip())
    if problems:
        db.session.rollback()
        return _page(db.session.get(SubmissionConflict, conflict_id), forms["keep"], forms["apply"],
                     problems=problems, status=422)
    db.session.commit()
    flash(_("The conflict is resolved."), "success")
    return redirect(url_for("field.conflicts"))


@bp.route("/supervision/conflicts/<int:conflict_id>/keep", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def keep_conflict(conflict_id: int):
    """Resolve by keeping the stored answers (the kept-aside send stays on record)."""
    return _decide(conflict_id, "keep", keep_stored)


@bp.route("/supervision/conflicts/<int:conflict_id>/apply", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def apply_conflict(conflict_id: int):
    """Resolve by making the kept-aside answers the interview's, as an audited edit."""
    return _decide(conflict_id, "apply", apply_kept)
