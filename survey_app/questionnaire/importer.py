"""Import an XLSForm (``.xlsx``, ``.xls``, ``.csv``, ``.md``) as an immutable questionnaire version.

pyxform parses the form; our checks (definition.py: supported types, expressions our engine
can evaluate) run on its JSON with the spreadsheet rows at hand, then pyxform builds the
XForm as a last validation.  The normalised definition is stored beside the source file.
A published form_id + version is never replaced; a draft of the same version is.  Every
refusal is an :class:`ImportRefused` raised before anything is added to the session, with
a Vietnamese sentence around the detail (pyxform's own details are English).
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_request_context
from flask_babel import force_locale
from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json
from pyxform.xls2xform import convert
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.i18n import gettext
from survey_app.models import Questionnaire, QuestionnaireVersion, VersionStatus
from survey_app.models.base import utcnow
from survey_app.questionnaire.definition import FormProblem, build_definition
from survey_app.questionnaire.sheet_rows import SurveyRows
from survey_app.refusals import MessageRefused

SUPPORTED_SUFFIXES = (".xlsx", ".xls", ".csv", ".md")


class ImportRefused(MessageRefused):
    """A form that cannot be imported; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class ParsedForm:
    form_id: str
    version: str
    title: str
    languages: list[str]
    definition: dict


def _(message: str, **values) -> str:
    """gettext that also works in the command line, where there is no request to choose the
    language from: there the default locale (Vietnamese) is used."""
    if has_request_context():
        return gettext(message, **values)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return gettext(message, **values)


def _refusal(filename: str, detail: str) -> ImportRefused:
    return ImportRefused(_("Could not import the form %(file)s: %(detail)s",
                           file=filename, detail=detail))


def _located(problem: FormProblem) -> str:
    """A problem with its place: "row 5, column relevant: ..." where they are known."""
    reason = _(problem.template, **problem.values)
    if problem.row and problem.column:
        return _("row %(row)s, column %(column)s: %(reason)s",
                 row=problem.row, column=problem.column, reason=reason)
    if problem.row:
        return _("row %(row)s: %(reason)s", row=problem.row, reason=reason)
    if problem.column:
        return _("column %(column)s: %(reason)s", column=problem.column, reason=reason)
    return reason


def _parse_file(path: str) -> dict:
    """pyxform's JSON, our definition on top, then the XForm as pyxform's last check."""
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pyxform_json = parse_file_to_json(path, default_name="data", warnings=found)
        definition = build_definition(pyxform_json, SurveyRows.read(path), [])
        convert(xlsform=path, warnings=found)
    found.extend(str(w.message) for w in caught)
    definition["warnings"] = list(dict.fromkeys([*found, *definition["warnings"]]))
    return definition


#: The most a workbook may hold once inflated: a real XLSForm is well under a megabyte.
MAX_INFLATED_BYTES = 20 * 1024 * 1024


def _refuse_zip_bomb(filename: str, content: bytes) -> None:
    """Refuse a workbook that would inflate past ``MAX_INFLATED_BYTES`` (a zip bomb), from
    the sizes its zip directory declares, before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _refusal(filename, _("the file is not a readable .xlsx workbook")) from None
    if inflated > MAX_INFLATED_BYTES:
        raise _refusal(filename, _("the workbook would take %(mb)d MB once unpacked; at most %(max)d MB",
                                   mb=inflated // (1024 * 1024), max=MAX_INFLATED_BYTES // (1024 * 1024)))


def parse_form(filename: str, content: bytes) -> ParsedForm:
    """Parse and check ``content``; raise :class:`ImportRefused` with the row, column and reason."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _refusal(filename, _("not an XLSForm (%(suffixes)s)",
                                   suffixes=", ".join(SUPPORTED_SUFFIXES)))
    if suffix == ".xlsx":
        _refuse_zip_bomb(filename, content)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, (Path(filename).stem or "form") + suffix)
        Path(path).write_bytes(content)
        try:
            definition = _parse_file(path)
        except FormProblem as problem:
            raise _refusal(filename, _located(problem)) from None
        except (PyXFormError, ValueError, KeyError) as exc:
            raise _refusal(filename, str(exc) or type(exc).__name__) from None
    return ParsedForm(form_id=definition["form_id"], version=definition["version"],
                      title=definition["title"],
                      languages=[language["name"] for language in definition["languages"]],
                      definition=definition)


def import_form(filename: str, content: bytes, publish: bool = False) -> QuestionnaireVersion:
    """Store a new version; refuse an existing published form_id + version."""
    parsed = parse_form(filename, content)
    questionnaire = db.session.scalar(
        select(Questionnaire).where(Questionnaire.form_id == parsed.form_id))
    existing = None
    if questionnaire is not None:
        existing = next((v for v in questionnaire.versions if v.version == parsed.version), None)
    if existing is not None and existing.status is not VersionStatus.DRAFT:
        raise _refusal(filename, _(
            "%(form)s version %(version)s is already published; change the version in the "
            "settings sheet", form=parsed.form_id, version=parsed.version))
    if questionnaire is None:
        questionnaire = Questionnaire(form_id=parsed.form_id, title=parsed.title)
        db.session.add(questionnaire)
    version = existing or QuestionnaireVersion(questionnaire=questionnaire, version=parsed.version)
    version.source_filename = Path(filename).name
    version.source = content
    version.source_checksum = hashlib.sha256(content).hexdigest()
    version.definition = parsed.definition
    version.languages = parsed.languages
    if publish:
        version.status = VersionStatus.PUBLISHED
        version.published_at = utcnow()
    db.session.add(version)
    return version
