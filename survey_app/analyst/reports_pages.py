"""Analysts' report and export pages: the report's sections as HTML, the PDF made by a background
job (progress, then a download link), and the data exports (CSV streamed; XLSX, SPSS, Stata,
codebook and results tables as jobs)."""
from __future__ import annotations

from flask import (Response, abort, current_app, redirect, render_template, request, send_file,
                   stream_with_context, url_for)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from survey_app import filestore, queries
from survey_app.access import roles_required
from survey_app.analyst import bp
from survey_app.exports.jobs import MEDIA_TYPES
from survey_app.i18n import _, lazy_gettext
from survey_app.models import Role
from survey_app.reports.render import LANGUAGES, context, render
from survey_app.jobs import read_job, start_job

CHOOSE = lazy_gettext("Choose one of the options.")
LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


class ReportForm(FlaskForm):
    """Make the PDF report: language and, optionally, one unit."""

    lang = SelectField(lazy_gettext("Language"), choices=LANGUAGE_CHOICES, validators=[InputRequired(CHOOSE)])
    unit = SelectField(lazy_gettext("Unit"), choices=[], validate_choice=True)


class ExportForm(FlaskForm):
    """Export one questionnaire's data in one format, with codes or labels, in one language."""

    form = SelectField(lazy_gettext("Questionnaire"), choices=[], validate_choice=True)
    format = SelectField(lazy_gettext("Format"), validators=[InputRequired(CHOOSE)], choices=[
        SelectChoice("xlsx", "Excel (.xlsx)"), SelectChoice("csv", "CSV"), SelectChoice("sav", "SPSS (.sav)"),
        SelectChoice("dta", "Stata (.dta)"), SelectChoice("codebook", lazy_gettext("Codebook (CSV)")),
        SelectChoice("design", lazy_gettext("Design: units, levels and raking targets (CSV)")),
        SelectChoice("package", lazy_gettext("Data package with R and Stata scripts that recompute the results (.zip)")),
        SelectChoice("results", lazy_gettext("Results tables (.xlsx)"))])
    labels = SelectField(lazy_gettext("Answers as"), validators=[InputRequired(CHOOSE)],
                         choices=[SelectChoice("codes", lazy_gettext("codes")),
                                  SelectChoice("labels", lazy_gettext("labels"))])
    lang = SelectField(lazy_gettext("Language"), choices=LANGUAGE_CHOICES, validators=[InputRequired(CHOOSE)])


def _export_form(campaign, formdata=None) -> ExportForm:
    """The export form, offering every questionnaire of the campaign (the citizens' by default)."""
    from survey_app.exports.design import campaign_forms, design_of
    forms = sorted(campaign_forms(campaign), key=lambda q: design_of(campaign, q.form_id) != "citizen")
    form = ExportForm(formdata=formdata, lang=str(get_locale()), form=forms[0].form_id if forms else None)
    form.form.choices = [SelectChoice(q.form_id, q.title) for q in forms]
    return form


def _report_form(campaign, formdata=None) -> ReportForm:
    form = ReportForm(formdata=formdata, lang=str(get_locale()))
    form.unit.choices = [SelectChoice("", _("All units"))] + [
        SelectChoice(cu.unit.code, cu.unit.name) for cu in queries.campaign_units(campaign)]
    return form


def _bad_form(form) -> tuple[str, int]:
    """400 naming each field in error (WTForms' own choice message is not translated)."""
    messages = [f"{form[name].label.text}: {CHOOSE}" for name in form.errors if name != "csrf_token"]
    if "csrf_token" in form.errors:
        messages.append(_("This form has expired or was sent from elsewhere. Please submit it again."))
    return render_template("analyst/reports/form_error.html", messages=messages), 400


@bp.route("/campaigns/<code>/report")
@roles_required(Role.ANALYST, Role.ADMIN)
def report_page(code: str):
    """The report's sections in the page (every unit's criteria in full), and the job forms."""
    from survey_app.reports.data import build_report
    campaign = queries.campaign_or_404(code)
    report = build_report(campaign, str(get_locale()))
    return render("analyst/reports/report.html", campaign=campaign, full_criteria=True,
                  report_form=_report_form(campaign), export_form=_export_form(campaign),
                  **context(report))


@bp.route("/reports/screen.css")
@roles_required(Role.ANALYST, Role.ADMIN)
def report_css():
    """The report page's own small stylesheet (kept with the report's templates)."""
    from survey_app.reports import REPORTS_DIR
    return send_file(REPORTS_DIR / "styles" / "screen.css", mimetype="text/css", max_age=3600)


@bp.route("/campaigns/<code>/report/pdf", methods=["POST"])
@roles_required(Role.ANALYST, Role.ADMIN)
def report_pdf(code: str):
    campaign = queries.campaign_or_404(code)
    form = _report_form(campaign, request.form)
    if not form.validate():
        return _bad_form(form)
    params = {"campaign": campaign.code, "lang": form.lang.data, "unit": form.unit.data or None}
    job_id = start_job("pdf", params, current_user.id, _("Report (PDF)") + f" · {campaign.code}")
    return redirect(url_for("analyst.job", job_id=job_id), code=303)


@bp.route("/campaigns/<code>/exports", methods=["POST"])
@roles_required(Role.ANALYST, Role.ADMIN)
def export_job(code: str):
    campaign = queries.campaign_or_404(code)
    form = _export_form(campaign, request.form)
    if not form.validate():
        return _bad_form(form)
    params = {"campaign": campaign.code, "lang": form.lang.data, "labels": form.labels.data == "labels",
              "form": form.form.data}
    title = next(str(c.label) for c in form.format.choices if c.value == form.format.data)
    job_id = start_job(form.format.data, params, current_user.id, f"{title} · {campaign.code}")
    return redirect(url_for("analyst.job", job_id=job_id), code=303)


@bp.route("/campaigns/<code>/export.csv")
@roles_required(Role.ANALYST, Role.ADMIN)
def export_csv(code: str):
    """The submissions as CSV, streamed row by row (no request waits for the whole file)."""
    from survey_app.exports.design import campaign_forms
    from survey_app.exports.submissions import ExportSpec
    from survey_app.exports.writers import csv_chunks
    campaign = queries.campaign_or_404(code)
    lang, labels = request.args.get("lang", str(get_locale())), request.args.get("labels", "codes")
    forms = [q.form_id for q in campaign_forms(campaign)]
    form_id = request.args.get("form", "sipas_citizen")
    if lang not in LANGUAGES or labels not in ("codes", "labels") or (forms and form_id not in forms):
        return render_template("analyst/reports/form_error.html",
                               messages=[_("Choose one of the options.")]), 400
    if not forms:
        abort(404)
    name = f"{campaign.code}-{form_id}-{labels}-{lang}.csv"

    def chunks():
        """Look the campaign up again: the request's session may be gone once streaming starts."""
        spec = ExportSpec(queries.campaign_or_404(code), form_id, lang, labels == "labels")
        yield from csv_chunks(spec)
    return Response(stream_with_context(chunks()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _own_job(job_id: str):
    found = read_job(job_id)
    if found is None:
        abort(404)
    if found.user_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(403)
    return found


@bp.route("/jobs/<job_id>")
@roles_required(Role.ANALYST, Role.ADMIN)
def job(job_id: str):
    """A job's progress; the page reloads itself (Refresh header, no script) until it ends."""
    found = _own_job(job_id)
    response = current_app.make_response(render_template("analyst/reports/job.html", job_id=job_id, job=found))
    if found.status in ("queued", "running"):
        response.headers["Refresh"] = "3"
    return response


@bp.route("/jobs/<job_id>/download")
@roles_required(Role.ANALYST, Role.ADMIN)
def job_download(job_id: str):
    found = _own_job(job_id)
    if found.status != "done" or not found.file_sha256:
        abort(404)
    suffix = "." + found.filename.rsplit(".", 1)[-1]
    return filestore.send(found.file_sha256, MEDIA_TYPES.get(suffix, "application/octet-stream"),
                          f"{found.params.get('plan') or found.params['campaign']}-{found.kind}{suffix}")
