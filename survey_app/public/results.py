"""The published results of a campaign for everyone: ranks with their intervals and classes,
the satisfaction per unit and factor, read from the campaign's publication (its version,
decision and what changed), and each version's report and open data."""
import io

from flask import abort, render_template, request, send_file
from flask_babel import get_locale

from survey_app import queries
from survey_app.index.views import campaign_index
from survey_app.models import CampaignStatus
from survey_app.public import bp
from survey_app.results import official
from survey_app.results.satisfaction import satisfaction_rows


@bp.route("/campaigns/<code>/results")
def results(code: str):
    campaign = queries.campaign_by_code(code)
    if campaign is None or campaign.status is not CampaignStatus.PUBLISHED:
        abort(404)
    index = campaign_index(campaign)
    return render_template("public/results.html", campaign=campaign, index=index,
                           versions=official.publications(campaign),
                           satisfaction=satisfaction_rows(index, str(get_locale() or "vi")))


@bp.route("/campaigns/<code>/results/v<int:version>.pdf")
def published_report(code: str, version: int):
    """The report exactly as rendered at publication ``version`` (its SHA-256 is on the page)."""
    from survey_app import filestore
    found = _publication(code, version)
    if found is None or not found.report_sha256:
        abort(404)
    return filestore.send(found.report_sha256, "application/pdf", f"{code}-v{version}.pdf", as_attachment=False)


def _publication(code: str, version: int):
    """Publication ``version`` of a published campaign, or None."""
    campaign = queries.campaign_by_code(code)
    if campaign is None or campaign.status is not CampaignStatus.PUBLISHED:
        return None
    return next((p for p in official.publications(campaign) if p.version == version), None)


@bp.route("/campaigns/<code>/results/v<int:version>/open-data.<fmt>")
def open_data(code: str, version: int, fmt: str):
    """Every figure of publication ``version``: ``.json``, ``.xlsx``, or ``.csv?table=…``."""
    from survey_app.exports import opendata as files
    from survey_app.results.opendata import TABLES
    if fmt not in files.FORMATS:
        abort(400)
    table = request.args.get("table", "index")
    if fmt == "csv" and table not in (*TABLES, files.DICTIONARY):
        abort(400)
    found = _publication(code, version)
    if found is None:
        abort(404)
    stem = f"{code}-v{version}-open-data"
    if fmt == "json":
        return send_file(io.BytesIO(files.json_bytes(found)), mimetype="application/json",
                         download_name=f"{stem}.json")
    if fmt == "xlsx":
        return send_file(io.BytesIO(files.xlsx_bytes(found)), download_name=f"{stem}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(io.BytesIO(files.csv_bytes(found, table)), mimetype="text/csv; charset=utf-8",
                     download_name=f"{stem}-{table}.csv")


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
