"""Analysts' pages: campaigns, their units and what has been collected."""
from flask import render_template

from survey_app import queries
from survey_app.access import roles_required
from survey_app.analyst import bp
from survey_app.models import Role
from survey_app.survey_analysis.exclusions import interview_counts


@bp.route("/")
@roles_required(Role.ANALYST, Role.ADMIN)
def index():
    rows = [(c, interview_counts(c)) for c in queries.campaigns()]
    return render_template("analyst/index.html", rows=rows)


@bp.route("/campaigns/<code>")
@roles_required(Role.ANALYST, Role.ADMIN)
def campaign(code: str):
    found = queries.campaign_or_404(code)
    return render_template("analyst/campaign.html", campaign=found, units=queries.campaign_units(found),
                           interviews=interview_counts(found))
