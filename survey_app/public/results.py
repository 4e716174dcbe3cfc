"""The published results of a campaign for everyone: ranks with their intervals and classes."""
from flask import abort, render_template

from survey_app import queries
from survey_app.index.views import campaign_index
from survey_app.models import CampaignStatus
from survey_app.public import bp


@bp.route("/campaigns/<code>/results")
def results(code: str):
    campaign = queries.campaign_by_code(code)
    if campaign is None or campaign.status is not CampaignStatus.PUBLISHED:
        abort(404)
    return render_template("public/results.html", campaign=campaign, index=campaign_index(campaign))
