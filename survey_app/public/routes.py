"""Pages for everyone: the home page and each campaign's public page."""
from flask import abort, render_template

from survey_app import queries
from survey_app.public import bp


@bp.route("/")
def index():
    return render_template("public/index.html", campaigns=queries.campaigns(public_only=True))


@bp.route("/campaigns/<code>")
def campaign(code: str):
    found = queries.campaign_by_code(code)
    if found is None or found.status.value == "draft":
        abort(404)
    units = queries.campaign_units(found)
    return render_template("public/campaign.html", campaign=found, units=units)
