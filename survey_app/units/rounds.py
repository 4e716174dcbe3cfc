"""The council's appraisal rounds, and the supervisors' view of achievement bias."""
from __future__ import annotations


from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from survey_app import queries
from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import AppraisalRound, Role, RoundStatus
from survey_app.models.base import utcnow
from survey_app.results.points import campaign_points, self_against_appraised
from survey_app.units import bp, state
from survey_app.units.forms import RoundForm


def _apply(campaign, step: str, found: AppraisalRound | None) -> str:
    """Move the campaign's appraisal one step on (open_1, reply, open_2); returns the message to
    show. Closing the final round is :func:`survey_app.campaigns.lifecycle.advance`."""
    if step == "open_1":
        db.session.add(AppraisalRound(campaign_id=campaign.id, number=1, status=RoundStatus.OPEN))
        return _("Appraisal round 1 is open.")
    if step == "reply":
        found.status = RoundStatus.UNIT_REPLY
        return _("The units can now reply and add evidence.")
    found.status, found.closed_at = RoundStatus.CLOSED, utcnow()
    db.session.add(AppraisalRound(campaign_id=campaign.id, number=2, status=RoundStatus.OPEN))
    return _("Appraisal round 2 is open.")


@bp.route("/<campaign_code>/rounds", methods=["POST"])
@roles_required(Role.APPRAISER)
def round_step(campaign_code: str):
    """The next step of the rounds, by an appraiser of the whole province; stale steps get 409."""
    campaign = queries.campaign_or_404(campaign_code)
    if not current_user.can_reach(Role.APPRAISER, campaign.province):
        abort(403)
    form = RoundForm()
    if not form.validate():
        return render_template("error.html", code=400, message=_("The request could not be understood.")), 400
    expected = state.next_step(campaign)
    if expected is None or form.step.data != expected:
        state.refuse(_("This step has already been taken or is not possible now."))
    if expected == "close":  # closing appraisal is the campaign's step, on its confirmation page
        return redirect(url_for("campaigns.advance", code=campaign.code))
    flash(_apply(campaign, expected, state.current_round(campaign)), "success")
    db.session.commit()
    return redirect(url_for("units.appraisal"))


def _overall_satisfaction(campaign) -> dict[str, float]:
    from survey_app.results.official import counted_run
    from survey_app.results.runs import overall_satisfaction
    return overall_satisfaction(counted_run(campaign))


def bias_row(cu, result, satisfaction) -> dict:
    """Self-assessed against appraised points of the scores the council has decided, read from
    the one read model of results (caps applied, penalties subtracted)."""
    return {"cu": cu, **self_against_appraised(result), "satisfied": satisfaction.get(cu.unit.code)}


@bp.route("/<campaign_code>/bias")
@roles_required(Role.SUPERVISOR, Role.APPRAISER, Role.ANALYST, Role.ADMIN)
def bias(campaign_code: str):
    """Per unit, the gap between self-assessed and appraised points (*bệnh thành tích*)."""
    campaign = queries.campaign_or_404(campaign_code)
    everywhere = current_user.has_role(Role.ANALYST, Role.ADMIN)
    satisfaction, results = _overall_satisfaction(campaign), campaign_points(campaign)
    rows = [bias_row(cu, results[cu.unit.code], satisfaction)
            for cu in queries.campaign_units(campaign)
            if everywhere or current_user.can_reach(Role.SUPERVISOR, cu.unit)
            or current_user.can_reach(Role.APPRAISER, cu.unit)]
    rows.sort(key=lambda r: -r["gap"])
    return render_template("units/bias.html", campaign=campaign, rows=rows)
