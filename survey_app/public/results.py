"""The published results of a campaign for everyone: ranks with their intervals and classes,
read from the campaign's publication (its version, decision and what changed)."""
from flask import abort, render_template, send_file

from survey_app import queries
from survey_app.index.views import campaign_index
from survey_app.models import CampaignStatus
from survey_app.public import bp
from survey_app.results import official


@bp.route("/campaigns/<code>/results")
def results(code: str):
    campaign = queries.campaign_by_code(code)
    if campaign is None or campaign.status is not CampaignStatus.PUBLISHED:
        abort(404)
    return render_template("public/results.html", campaign=campaign, index=campaign_index(campaign),
                           versions=official.publications(campaign))


@bp.route("/campaigns/<code>/results/v<int:version>.pdf")
def published_report(code: str, version: int):
    """The report exactly as rendered at publication ``version`` (its SHA-256 is on the page)."""
    from survey_app.campaigns.publication import report_path
    campaign = queries.campaign_by_code(code)
    found = next((p for p in official.publications(campaign) if p.version == version), None) if campaign else None
    path = report_path(found) if found is not None else None
    if path is None or not path.exists():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=f"{code}-v{version}.pdf")


@bp.app_template_filter()
def figure_label(figure: str) -> str:
    """The name of a figure listed as changed between two publications."""
    from survey_app.i18n import _
    if figure.startswith("field "):
        return _("Field %(code)s", code=figure.split(" ", 1)[1])
    return {"total": _("Index points"), "rank": _("Rank"), "class": _("Class")}.get(figure, figure)


@bp.app_template_filter()
def figure_value(value) -> str:
    from survey_app.formatting import points
    if value is None:
        return "—"
    if isinstance(value, float):
        return points(value)
    return str(value)
