"""A unit's own results for its editors (*kết quả của đơn vị*): its index profile, the points it
lost and the improvement planner — its own unit only, once the results are published (the
publication's figures) or, before that, when the campaign lets units see the draft."""
from __future__ import annotations

from flask import abort, render_template, request, url_for

from survey_app.access import roles_required
from survey_app.index.planner import TARGET_KINDS, TargetError
from survey_app.index.views import campaign_index, profile, target_message
from survey_app.models import Role
from survey_app.results import official
from survey_app.units import bp
from survey_app.units.context import load, require


def results_open(campaign) -> bool:
    return official.current_publication(campaign) is not None or bool(campaign.units_see_results)


@bp.route("/<campaign_code>/<unit_code>/results")
@roles_required(Role.UNIT_EDITOR)
def unit_results(campaign_code: str, unit_code: str):
    """403 for another unit's results, 404 before they are open to units."""
    ctx = load(campaign_code, unit_code)
    require(ctx.editor)
    if not results_open(ctx.campaign):
        abort(404)
    index = campaign_index(ctx.campaign, draft=official.current_publication(ctx.campaign) is None)
    kind, target = request.args.get("target_kind"), (request.args.get("target") or "").strip()
    try:
        found = profile(index, ctx.unit.code, kind if kind in TARGET_KINDS else None, target)
        error, status = None, 200
    except TargetError as exc:
        found = profile(index, ctx.unit.code)
        error, status = target_message(str(exc)), 400
    back = url_for("units.assessment", campaign_code=campaign_code, unit_code=unit_code)
    return render_template("analyst/index/profile.html", campaign=ctx.campaign, index=index, back_url=back,
                           target_kind=kind, target=target, target_error=error, **found), status
