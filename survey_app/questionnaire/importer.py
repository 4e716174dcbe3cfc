"""Import an XLSForm (``.xlsx``, ``.xls``, ``.csv``, ``.md``) as an immutable questionnaire version.

pyxform parses and validates the form; the parsed definition is stored beside the source
file. A published form_id + version is never replaced.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json
from pyxform.xls2xform import convert
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Questionnaire, QuestionnaireVersion, VersionStatus
from survey_app.models.base import utcnow

SUPPORTED_SUFFIXES = (".xlsx", ".xls", ".csv", ".md")


class ImportRefused(ValueError):
    """A form that cannot be imported; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class ParsedForm:
    form_id: str
    version: str
    title: str
    languages: list[str]
    definition: dict


def _languages(node, found: set[str]) -> None:
    if isinstance(node, dict):
        for key in ("label", "hint"):
            if isinstance(node.get(key), dict):
                found.update(node[key])
        for child in node.get("children", []):
            _languages(child, found)


def parse_form(filename: str, content: bytes) -> ParsedForm:
    """Parse and validate ``content``; raise :class:`ImportRefused` with pyxform's reason."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportRefused(f"{filename}: not an XLSForm ({', '.join(SUPPORTED_SUFFIXES)})")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, Path(filename).stem + suffix)
        Path(path).write_bytes(content)
        try:
            convert(xlsform=path)
            definition = parse_file_to_json(path, default_name="data")
        except (PyXFormError, ValueError, KeyError) as exc:
            raise ImportRefused(f"{filename}: {exc}") from None
    languages: set[str] = set()
    _languages(definition, languages)
    return ParsedForm(form_id=definition["id_string"], version=str(definition.get("version") or "1"),
                      title=definition.get("title") or definition["id_string"],
                      languages=sorted(languages - {"default"}) or ["default"],
                      definition=definition)


def import_form(filename: str, content: bytes, publish: bool = False) -> QuestionnaireVersion:
    """Store a new version; refuse an existing published form_id + version."""
    parsed = parse_form(filename, content)
    questionnaire = db.session.scalar(
        select(Questionnaire).where(Questionnaire.form_id == parsed.form_id))
    if questionnaire is None:
        questionnaire = Questionnaire(form_id=parsed.form_id, title=parsed.title)
        db.session.add(questionnaire)
    existing = next((v for v in questionnaire.versions if v.version == parsed.version), None)
    if existing is not None and existing.status is not VersionStatus.DRAFT:
        raise ImportRefused(
            f"{parsed.form_id} version {parsed.version} is already published; "
            "change the version in the settings sheet")
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
