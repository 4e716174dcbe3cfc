"""The national indices' page (the Department): results entered one by one or imported from CSV,
and each index's trend per province as a table and a small chart."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.plans import bp
from survey_app.plans.base import PlanRefused
from survey_app.plans.forms import NationalForm, NationalImportForm
from survey_app.plans.national import NationalImportRefused, enter_result, import_results
from survey_app.plans.pages import DEPARTMENT
from survey_app.plans.trend import provinces, trends


def _page(form=None, upload=None, problem=None, problems=(), result=None, status=200):
    province = request.args.get("province") or None
    return render_template("plans/national.html", form=form or NationalForm(), upload=upload or NationalImportForm(),
                           problem=problem, problems=list(problems), result=result, trends=trends(province),
                           provinces=provinces(), province=province), status


@bp.route("/national", methods=["GET", "POST"])
@roles_required(*DEPARTMENT)
def national():
    form = NationalForm()
    if not form.is_submitted():
        return _page(form)
    try:
        enter_result(index=form.index.data, year=form.year.data, province=form.province.data,
                     score=form.score.data, rank=form.rank.data, group=form.group.data)
    except PlanRefused as exc:
        db.session.rollback()
        return _page(form, problem=exc.message, status=exc.status)
    flash(_("Result saved."), "success")
    return redirect(url_for("plans.national"))


@bp.route("/national/import", methods=["POST"])
@roles_required(*DEPARTMENT)
def national_import():
    upload = NationalImportForm()
    if not upload.validate():
        return _page(upload=upload, status=422)
    try:
        result = import_results(upload.file.data.read())
    except NationalImportRefused as exc:
        db.session.rollback()
        return _page(upload=upload, problems=exc.problems, status=422)
    return _page(result=result)
