"""The index as JSON: the whole campaign, and one unit with its sub-criteria, losses and
last year's comparison. Open to analysts and administrators; to everyone once published."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from survey_app import queries
from survey_app.api import bp
from survey_app.index.export import campaign_json, unit_json
from survey_app.index.planner import TARGET_KINDS, TargetError
from survey_app.index.views import campaign_index, profile
from survey_app.models import CampaignStatus, Role


def _readable(code: str):
    campaign = queries.campaign_or_404(code)
    if campaign.status is CampaignStatus.PUBLISHED:
        return campaign
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.has_role(Role.ANALYST, Role.ADMIN):
        abort(403)
    return campaign


@bp.route("/campaigns/<code>/index")
def index(code: str):
    return jsonify(campaign_json(campaign_index(_readable(code))))


def _loss(item) -> dict:
    return {"code": item.code, "field": item.field_code, "method": item.method, "source": item.source,
            "max_points": item.max_points, "points": item.points, "lost": round(item.lost, 4)}


@bp.route("/campaigns/<code>/index/<unit_code>")
def index_unit(code: str, unit_code: str):
    campaign = _readable(code)
    kind, target = request.args.get("target_kind"), request.args.get("target")
    if kind is not None and kind not in TARGET_KINDS:
        abort(400)
    try:
        found = profile(campaign_index(campaign), unit_code, kind, target)
    except TargetError:
        abort(400)
    out = unit_json(found["result"], leaves=True)
    out["losses"] = [_loss(x) for x in found["losses"]]
    out["pending_survey"] = [_loss(x) for x in found["pending"]]
    out["target"] = found["goal"]
    comparison = found["comparison"]
    if comparison is not None:
        out["last_year"] = {
            "campaign": comparison["campaign"].code, "mapping": comparison["mapping"],
            "predecessors": [{"code": p.code, "percent": round(p.percent, 4), "rank": p.rank}
                             for p in comparison["predecessors"]],
            "percent_before": comparison.get("percent_before"),
            "percent_change": comparison.get("percent_change"),
            "rank_before": comparison.get("rank_before"), "rank_change": comparison.get("rank_change")}
    return jsonify(out)
