"""Analysts' index pages: the ranked table with intervals, the per-field breakdown, a unit's
profile with its improvement planner, and publishing the campaign's results."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from survey_app import queries
from survey_app.access import roles_required
from survey_app.analyst import bp
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.index.planner import TARGET_KINDS, TargetError
from survey_app.index.views import campaign_index, profile
from survey_app.models import CampaignStatus, Role
from survey_app.units.forms import RoundForm



@bp.route("/campaigns/<code>/index")
@roles_required(Role.ANALYST, Role.ADMIN)
def index_table(code: str):
    campaign = queries.campaign_or_404(code)
    return render_template("analyst/index/table.html", campaign=campaign, index=campaign_index(campaign),
                           publish_form=RoundForm(step="publish"))


def _target_message(kind: str) -> str:
    return {"percent": _("Enter a percentage between 0 and 100."),
            "grade": _("Choose one of the framework's classes."),
            "rank": _("Enter a rank between 1 and the number of units of the level."),
            }.get(kind, _("Choose a kind of target."))


@bp.route("/campaigns/<code>/index/<unit_code>")
@roles_required(Role.ANALYST, Role.ADMIN)
def index_unit(code: str, unit_code: str):
    campaign = queries.campaign_or_404(code)
    index = campaign_index(campaign)
    kind, target = request.args.get("target_kind"), (request.args.get("target") or "").strip()
    try:
        found = profile(index, unit_code, kind if kind in TARGET_KINDS else None, target)
        error, status = None, 200
    except TargetError as exc:
        found = profile(index, unit_code)
        error, status = _target_message(str(exc)), 400
    return render_template("analyst/index/profile.html", campaign=campaign, index=index,
                           target_kind=kind, target=target, target_error=error, **found), status


@bp.route("/campaigns/<code>/publish", methods=["POST"])
@roles_required(Role.ANALYST, Role.ADMIN)
def publish(code: str):
    """Publish the campaign's results: the public results page and API open."""
    campaign = queries.campaign_or_404(code)
    form = RoundForm()
    if not form.validate() or form.step.data != "publish":
        return render_template("error.html", code=400, message=_("The request could not be understood.")), 400
    if campaign.status is CampaignStatus.PUBLISHED:
        return render_template("error.html", code=409, message=_("The results are already published.")), 409
    campaign.status = CampaignStatus.PUBLISHED
    db.session.commit()
    flash(_("The results are published."), "success")
    return redirect(url_for("analyst.index_table", code=code))
