"""Analysts' index pages: the draft ranked table with intervals, the per-field breakdown and a
unit's profile with its improvement planner (publishing: :mod:`publication_pages`)."""
from __future__ import annotations

from flask import render_template, request

from survey_app import queries
from survey_app.access import roles_required
from survey_app.analyst import bp
from survey_app.index.planner import TARGET_KINDS, TargetError
from survey_app.index.views import campaign_index, profile, target_message
from survey_app.models import Role
from survey_app.results import official


@bp.route("/campaigns/<code>/index")
@roles_required(Role.ANALYST, Role.ADMIN)
def index_table(code: str):
    campaign = queries.campaign_or_404(code)
    return render_template("analyst/index/table.html", campaign=campaign,
                           index=campaign_index(campaign, draft=True),
                           publication=official.current_publication(campaign),
                           draft_differs=official.has_draft_changes(campaign))


@bp.route("/campaigns/<code>/index/<unit_code>")
@roles_required(Role.ANALYST, Role.ADMIN)
def index_unit(code: str, unit_code: str):
    campaign = queries.campaign_or_404(code)
    index = campaign_index(campaign, draft=True)
    kind, target = request.args.get("target_kind"), (request.args.get("target") or "").strip()
    try:
        found = profile(index, unit_code, kind if kind in TARGET_KINDS else None, target)
        error, status = None, 200
    except TargetError as exc:
        found = profile(index, unit_code)
        error, status = target_message(str(exc)), 400
    return render_template("analyst/index/profile.html", campaign=campaign, index=index,
                           target_kind=kind, target=target, target_error=error, **found), status
