"""Self-assessment for unit editors and appraisal for the council (*tự đánh giá*, *thẩm định*)."""
from flask import abort, render_template
from flask_login import current_user

from survey_app import queries
from survey_app.access import require_unit, roles_required
from survey_app.models import Role
from survey_app.units import bp


def _my_rows(role: Role) -> list[dict]:
    rows = []
    for campaign in queries.campaigns():
        for cu in queries.campaign_units(campaign):
            if current_user.can_reach(role, cu.unit):
                rows.append({"campaign": campaign, "cu": cu,
                             "assessment": queries.assessment(campaign, cu.unit)})
    return rows


@bp.route("/")
@roles_required(Role.UNIT_EDITOR)
def index():
    return render_template("units/index.html", rows=_my_rows(Role.UNIT_EDITOR))


@bp.route("/appraisal")
@roles_required(Role.APPRAISER)
def appraisal():
    return render_template("units/appraisal.html", rows=_my_rows(Role.APPRAISER))


@bp.route("/<campaign_code>/<unit_code>")
@roles_required(Role.UNIT_EDITOR, Role.APPRAISER)
def assessment(campaign_code: str, unit_code: str):
    campaign = queries.campaign_or_404(campaign_code)
    unit = queries.unit_by_code(unit_code, campaign.year)
    role = Role.UNIT_EDITOR if current_user.has_role(Role.UNIT_EDITOR) else Role.APPRAISER
    if unit is not None and not current_user.can_reach(role, unit):
        other = Role.APPRAISER if role is Role.UNIT_EDITOR else Role.UNIT_EDITOR
        if current_user.has_role(other):
            role = other
    require_unit(role, unit)
    found = queries.assessment(campaign, unit)
    if found is None:
        abort(404)
    scores = sorted(found.scores, key=lambda s: (s.node.position, s.node.code))
    return render_template("units/assessment.html", campaign=campaign, unit=unit,
                           assessment=found, scores=scores, totals=queries.field_totals(found))
