"""Administrators upload XLSForms: the same import as ``flask questionnaire import``.

The page shows what was imported (form, version, status, counts, pyxform's warnings) or the
refusal (422, with the row, column and reason) and the form again.  A file larger than
``QUESTIONNAIRE_MAX_BYTES`` (default 5 MiB, well under the application-wide request limit)
is refused with 413 before it is parsed. The importer (pyxform, openpyxl: half a second to
load) is imported by the two functions that use it, when a file is posted, not when the
application starts.
"""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField
from wtforms.validators import ValidationError

from survey_app.access import roles_required
from survey_app.admin import bp
from survey_app.extensions import db
from survey_app.i18n import _, lazy_gettext as _l
from survey_app.models import Role

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def _xlsform_suffix(form, field) -> None:
    """Refuse a file whose name does not end in an XLSForm suffix."""
    from survey_app.questionnaire.importer import SUPPORTED_SUFFIXES

    name = (field.data.filename or "").lower() if field.data else ""
    if not name.endswith(SUPPORTED_SUFFIXES):
        raise ValidationError(_("Only XLSForm files: %(suffixes)s.",
                                suffixes=", ".join(SUPPORTED_SUFFIXES)))


class QuestionnaireUploadForm(FlaskForm):
    file = FileField(_l("XLSForm file (.xlsx, .xls, .csv, .md)"),
                     validators=[FileRequired(message=_l("Choose a file.")), _xlsform_suffix])
    publish = BooleanField(_l("Publish at once (the version can no longer be replaced)"))


def _max_bytes() -> int:
    return int(current_app.config.get("QUESTIONNAIRE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _import(form: QuestionnaireUploadForm):
    """Import the uploaded file; on refusal roll back and put the reason on the file field."""
    from survey_app.questionnaire.importer import ImportRefused, import_form

    upload = form.file.data
    try:
        version = import_form(upload.filename, upload.read(), publish=form.publish.data)
        db.session.commit()
    except ImportRefused as exc:
        db.session.rollback()
        form.file.errors.append(str(exc))
        return None
    return version


def _render(form, status: int = 200, version=None):
    return render_template("admin/questionnaire_upload.html", form=form, version=version,
                           max_megabytes=round(_max_bytes() / 1024 / 1024, 1)), status


@bp.route("/questionnaires/upload", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def questionnaire_upload():
    form = QuestionnaireUploadForm()
    if request.method == "POST" and (request.content_length or 0) > _max_bytes():
        form.file.errors = [_("The file is larger than %(size)s MB.",
                              size=round(_max_bytes() / 1024 / 1024, 1))]
        return _render(form, 413)
    if not form.validate_on_submit():
        return _render(form, 422 if form.is_submitted() else 200)
    version = _import(form)
    if version is None:
        return _render(form, 422)
    return _render(QuestionnaireUploadForm(formdata=None), 200, version)
