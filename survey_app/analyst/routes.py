"""Analysts' pages: campaigns, their units and what has been collected."""
from flask import render_template

from survey_app import queries
from survey_app.access import roles_required
from survey_app.analyst import bp
from survey_app.models import Role


@bp.route("/")
@roles_required(Role.ANALYST, Role.ADMIN)
def index():
    rows = [(c, sum(queries.submission_counts(c).values())) for c in queries.campaigns()]
    return render_template("analyst/index.html", rows=rows)


@bp.route("/campaigns/<code>")
@roles_required(Role.ANALYST, Role.ADMIN)
def campaign(code: str):
    from survey_app.survey_analysis.exclusions import counted_per_unit
    found = queries.campaign_or_404(code)
    form = (found.framework.settings or {}).get("satisfaction", {}).get("questionnaire", "sipas_citizen")
    return render_template("analyst/campaign.html", campaign=found,
                           units=queries.campaign_units(found),
                           counts=queries.submission_counts(found), counted=counted_per_unit(found, form))
