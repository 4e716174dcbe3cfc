"""The JSON API: health for load balancers, campaigns and their units for analysts."""
from flask import jsonify
from sqlalchemy import text

from survey_app import queries
from survey_app.access import roles_required
from survey_app.api import bp
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.survey_analysis.exclusions import interview_counts



@bp.route("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


def _campaign_json(campaign) -> dict:
    return {"code": campaign.code, "title": campaign.title, "year": campaign.year,
            "status": campaign.status.value,
            "framework": {"code": campaign.framework.code, "version": campaign.framework.version}}


@bp.route("/campaigns")
@roles_required(Role.ANALYST, Role.ADMIN)
def campaigns():
    return jsonify([_campaign_json(c) for c in queries.campaigns()])


@bp.route("/campaigns/<code>")
@roles_required(Role.ANALYST, Role.ADMIN)
def campaign(code: str):
    found = queries.campaign_or_404(code)
    interviews = interview_counts(found)
    units = [{"code": cu.unit.code, "name": cu.unit.name, "level": cu.framework_level,
              "target_sample": cu.target_sample, "submissions": interviews.counted.get(cu.unit_id, 0),
              "received": interviews.received.get(cu.unit_id, 0)}
             for cu in queries.campaign_units(found)]
    return jsonify(dict(_campaign_json(found), units=units))
