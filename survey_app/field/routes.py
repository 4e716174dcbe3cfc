"""The enumerator's pages (*điều tra viên*): their cases, visits and submissions, and nobody
else's. Supervisors (*giám sát viên*) may open the same case pages within their area."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from survey_app import queries
from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.forms import VisitForm
from survey_app.i18n import _
from survey_app.models import CaseStatus, Role, SampleCase, Submission
from survey_app.samples.visits import record_visit


def own_case_or_403(case_id: int) -> SampleCase:
    """The case when it is assigned to the current enumerator or in the supervisor's area."""
    case = db.session.get(SampleCase, case_id)
    if case is None:
        abort(404)
    mine = case.assignment is not None and case.assignment.enumerator_id == current_user.id
    if not (mine or current_user.can_reach(Role.SUPERVISOR, case.unit)):
        abort(403)
    return case


@bp.route("/")
@roles_required(Role.ENUMERATOR)
def enumerator():
    cases = queries.enumerator_cases(current_user)
    submissions = list(db.session.scalars(select(Submission).where(
        Submission.enumerator_id == current_user.id).order_by(Submission.id.desc()).limit(200)))
    return render_template("field/enumerator.html", cases=cases, submissions=submissions)


@bp.route("/cases/<int:case_id>")
@roles_required(Role.ENUMERATOR, Role.SUPERVISOR)
def case(case_id: int):
    found = own_case_or_403(case_id)
    return render_template("field/case.html", case=found, form=VisitForm())


@bp.route("/cases/<int:case_id>/visits", methods=["POST"])
@roles_required(Role.ENUMERATOR)
def log_visit(case_id: int):
    """Record a visit without an interview; the case takes the visit's outcome (see
    :mod:`survey_app.samples.visits`, shared with the offline collector)."""
    found = own_case_or_403(case_id)
    if found.assignment is None or found.assignment.enumerator_id != current_user.id:
        abort(403)
    form = VisitForm()
    if found.status in (CaseStatus.COMPLETED, CaseStatus.REPLACED):
        form.outcome.errors = [_("This case is closed.")]
    elif form.validate_on_submit():
        record_visit(found, current_user.id, CaseStatus(form.outcome.data), form.note.data)
        db.session.commit()
        flash(_("The visit is recorded."), "success")
        return redirect(url_for("field.case", case_id=found.id))
    return render_template("field/case.html", case=found, form=form), 422


@bp.route("/submissions/<int:submission_id>")
@roles_required(Role.ENUMERATOR)
def submission(submission_id: int):
    """One of the enumerator's own interviews, with the supervisor's comments."""
    found = db.session.get(Submission, submission_id)
    if found is None:
        abort(404)
    if found.enumerator_id != current_user.id:
        abort(403)
    return render_template("field/submission.html", submission=found)
