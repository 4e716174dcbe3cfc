"""Pages for everyone: the home page and each campaign's public page."""
from flask import abort, render_template

from survey_app import queries
from survey_app.public import bp
from survey_app.public.tickets import open_ticket


@bp.route("/")
def index():
    return render_template("public/index.html", campaigns=queries.campaigns(public_only=True))


@bp.route("/campaigns/<code>")
def campaign(code: str):
    found = queries.campaign_by_code(code)
    if found is None or found.status.value == "draft":
        abort(404)
    units = queries.campaign_units(found)
    open_link = bool(units) and open_ticket(found.code, units[0].unit.code) is not None
    return render_template("public/campaign.html", campaign=found, units=units, open_link=open_link)
