"""The Department's pages of a plan's progress: the dashboard of a period, its drill-down, and the
plan's and each period's documents (Word on request, PDF as a job: see :mod:`documents`)."""
from __future__ import annotations

from io import BytesIO

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user

from survey_app.access import roles_required
from survey_app.models import Role
from survey_app.plans import bp, dashboard, documents, periods, progress

DEPARTMENT = (Role.ADMIN, Role.ANALYST)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.app_template_filter("progress_label")
def _progress_label(status):
    return progress.progress_label(status)


@bp.app_template_filter("flag_label")
def _flag_label(value):
    return progress.flag_label(value)


def _period(plan):
    chosen = request.args.get("period", type=int)
    return periods.period_of(plan, chosen) if chosen else periods.current_period(plan)


@bp.route("/<code>/dashboard")
@roles_required(*DEPARTMENT)
def dashboard_page(code):
    plan = progress.plan_for(code, current_user)
    period = _period(plan)
    found = dashboard.dashboard(plan, period, locale=str(get_locale())) if period else None
    return render_template("plans/dashboard.html", plan=plan, period=period, found=found,
                           columns=dashboard.COLUMNS, labels=dashboard.column_labels())


@bp.route("/<code>/dashboard/tasks")
@roles_required(*DEPARTMENT)
def dashboard_tasks(code):
    plan = progress.plan_for(code, current_user)
    period = _period(plan)
    if period is None:
        return render_template("plans/dashboard_tasks.html", plan=plan, period=None, rows=[], what=None,
                               labels=dashboard.column_labels())
    unit, field_code, what = request.args.get("unit"), request.args.get("field"), request.args.get("what")
    rows = dashboard.drill(plan, period, unit, field_code, what)
    return render_template("plans/dashboard_tasks.html", plan=plan, period=period, rows=rows, what=what,
                           unit=unit, field_code=field_code, labels=dashboard.column_labels())


def _word(plan, period=None):
    """The Word file, made on request (a fifth of a second for 60 tasks)."""
    content = documents.render(plan, "docx", period, request.args.get("lang", "vi"))
    return send_file(BytesIO(content), mimetype=DOCX, as_attachment=True,
                     download_name=documents.filename(plan, "docx", period))


def _pdf_job(plan, period=None):
    """The PDF as a job (seconds for a long plan); its page reloads itself until the file is ready."""
    job_id = documents.start_pdf_job(plan, current_user.id, period, request.form.get("lang", "vi"))
    return redirect(url_for("analyst.job", job_id=job_id), code=303)


@bp.route("/<code>/document.docx")
@roles_required(*DEPARTMENT)
def plan_docx(code):
    return _word(progress.plan_for(code, current_user))


@bp.route("/<code>/document.pdf", methods=["POST"])
@roles_required(*DEPARTMENT)
def plan_pdf(code):
    return _pdf_job(progress.plan_for(code, current_user))


@bp.route("/<code>/periods/<int:period_id>/report.docx")
@roles_required(*DEPARTMENT)
def progress_docx(code, period_id):
    plan = progress.plan_for(code, current_user)
    return _word(plan, periods.period_of(plan, period_id))


@bp.route("/<code>/periods/<int:period_id>/report.pdf", methods=["POST"])
@roles_required(*DEPARTMENT)
def progress_pdf(code, period_id):
    plan = progress.plan_for(code, current_user)
    return _pdf_job(plan, periods.period_of(plan, period_id))
