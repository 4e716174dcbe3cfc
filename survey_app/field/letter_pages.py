"""Letters per sampled case on the samples page (*thư mời theo hộ mẫu*): issue one code per
open case of the list in the supervisor's area, and switch a case to the interview at the door."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.forms import ActionForm
from survey_app.field.sample_pages import SUPERVISORS, _sample_or_404
from survey_app.field.scope import can_supervise, supervised_unit_ids
from survey_app.i18n import _, ngettext
from survey_app.invitations.cases import issue_for_cases, switch_to_door
from survey_app.invitations.codes import InvitationRefused
from survey_app.models import Campaign, SampleCase


@bp.route("/supervision/samples/<int:sample_id>/letters", methods=["POST"])
@roles_required(*SUPERVISORS)
def issue_letters(sample_id: int):
    """One invitation code per open case of the list in the user's area that has none."""
    sample = _sample_or_404(sample_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        issued = issue_for_cases(db.session.get(Campaign, sample.campaign_id), sample=sample,
                                 unit_ids=set(supervised_unit_ids()))
    except InvitationRefused as refused:
        flash(str(refused), "error")
    else:
        flash(ngettext("%(num)d letter is issued.", "%(num)d letters are issued.", issued), "success")
    return redirect(url_for("field.sample", sample_id=sample.id))


@bp.route("/supervision/cases/<int:case_id>/door", methods=["POST"])
@roles_required(*SUPERVISORS)
def interview_at_the_door(case_id: int):
    """The case's letter stops working: an enumerator interviews the household at home."""
    case = db.session.get(SampleCase, case_id)
    if case is None:
        abort(404)
    if not can_supervise(case.unit):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    if switch_to_door(case):
        flash(_("%(case)s is now interviewed at the door; its letter's code no longer works.", case=case.label),
              "success")
    return redirect(url_for("field.sample", sample_id=case.sample_list_id))
