"""Administrators set up a province: units from CSV (the tree with validity and successions),
population figures from CSV (the weighting targets, totals per unit and year),
framework versions uploaded and checked, the difference between two versions. The same
services as ``flask units import``, ``flask population import``, ``flask framework load`` and
``flask framework diff``.
"""
from __future__ import annotations

from flask import render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select

from survey_app.access import roles_required
from survey_app.admin import bp
from survey_app.extensions import db
from survey_app.framework_versions import VersionNotFound, diff_versions
from survey_app.frameworks import FrameworkError, load_framework_source
from survey_app.i18n import lazy_gettext as _l
from survey_app.models import Framework, Role
from survey_app.population_import import import_population, population_totals
from survey_app.unit_import import UnitImportRefused, import_units, unit_tree


class UnitsUploadForm(FlaskForm):
    file = FileField(_l("Units file (CSV, UTF-8)"), validators=[FileRequired(message=_l("Choose a file."))])


class PopulationUploadForm(FlaskForm):
    file = FileField(_l("Population file (CSV, UTF-8)"), validators=[FileRequired(message=_l("Choose a file."))])


class FrameworkUploadForm(FlaskForm):
    file = FileField(_l("Framework file (YAML)"), validators=[FileRequired(message=_l("Choose a file."))])


def _imported(form, importer):
    """``(result, problems, status)`` of a CSV upload imported whole or refused row by row."""
    if not form.is_submitted():
        return None, [], 200
    if not form.validate():
        return None, [], 422
    try:
        return importer(form.file.data.read()), [], 200
    except UnitImportRefused as exc:  # the population's refusal is one too
        db.session.rollback()
        return None, exc.problems, 422


@bp.route("/units", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def units():
    form = UnitsUploadForm()
    result, problems, status = _imported(form, import_units)
    return render_template("admin/units.html", form=form, rows=unit_tree(), result=result,
                           problems=problems), status


@bp.route("/population", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def population():
    form = PopulationUploadForm()
    result, problems, status = _imported(form, import_population)
    return render_template("admin/population.html", form=form, totals=population_totals(), result=result,
                           problems=problems), status


def _framework_page(form, status=200, loaded=None, problem=None):
    frameworks = list(db.session.scalars(select(Framework).order_by(Framework.code, Framework.id)))
    changes, diff_error = [], None
    code, old, new = (request.args.get(k, "").strip() for k in ("code", "old", "new"))
    if code and old and new:
        try:
            changes = diff_versions(code, old, new)
        except VersionNotFound as exc:
            diff_error, status = str(exc), 404
    return render_template("admin/frameworks.html", form=form, frameworks=frameworks, loaded=loaded,
                           problem=problem, changes=changes, diff_error=diff_error,
                           diff_args=(code, old, new)), status


@bp.route("/frameworks", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def frameworks():
    form = FrameworkUploadForm()
    if not form.is_submitted():
        return _framework_page(form)
    if not form.validate():
        return _framework_page(form, 422)
    upload = form.file.data
    try:
        loaded = load_framework_source(upload.filename or "framework.yaml", upload.read())
        db.session.commit()
    except FrameworkError as exc:
        db.session.rollback()
        return _framework_page(form, 422, problem=str(exc))
    return _framework_page(FrameworkUploadForm(formdata=None), 200, loaded=loaded)
