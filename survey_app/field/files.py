"""Answer files (photos, recordings, videos) from the offline collector.

The collector sends each file on its own before the interview that names it: the file is
kept in the shared file store under its SHA-256 (``uploads.store_answer_file``, the citizen's rules), so sending the
same bytes again — a retry after a lost reply, a crash between the file and the interview —
stores nothing new and gives back the same name. The interview then names its files, and the
intake refuses one whose named file is not stored (:func:`missing_files`).
"""
from __future__ import annotations

from collections.abc import Iterator

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.questionnaire.answers import repeat_of
from survey_app.questionnaire.engine import FormEngine, Problem
from survey_app.questionnaire.types import collected_file_types, question_type
from survey_app.questionnaire.uploads import MAGIC, UploadRefused, answer_file_limit, is_stored, store_answer_file


def settings() -> dict:
    """What the collector checks before keeping a file: the same limit, types and first bytes
    as here (a photo refused only at sync could no longer be taken again)."""
    accept = {kind: question_type(kind).accepted for kind in collected_file_types()}
    return {"max_bytes": answer_file_limit(), "accept": accept,
            "magic": {suffix: MAGIC[suffix].hex() for types in accept.values() for suffix in types if suffix in MAGIC}}


def receive_file(kind: str | None, upload) -> str:
    """Store one sent file; its answer value. Raises :class:`UploadRefused` (with a status)."""
    if kind not in collected_file_types():
        raise UploadRefused(_("The field %(name)s is missing or malformed.", name="kind"), 400)
    if upload is None or not upload.filename:
        raise UploadRefused(_("The field %(name)s is missing or malformed.", name="file"), 400)
    name = store_answer_file(kind, upload)
    db.session.commit()
    return name


def _repeats_above(engine: FormEngine, question: dict) -> list[str]:
    """Names of the repeats holding ``question``, outermost first."""
    names, scope = [], repeat_of(question, engine.by_path)
    while scope is not None:
        names.insert(0, engine.by_path[scope]["name"])
        scope = repeat_of(engine.by_path[scope], engine.by_path)
    return names


def _values(values: dict, repeats: list[str], key: str, prefix: str) -> Iterator[tuple[str, object]]:
    """(problem key, value) of one question in every instance of its repeats."""
    if not repeats:
        if values.get(key) not in (None, ""):
            yield prefix + key, values[key]
        return
    instances = values.get(repeats[0])
    for index, instance in enumerate(instances if isinstance(instances, list) else []):
        if isinstance(instance, dict):
            yield from _values(instance, repeats[1:], key, f"{prefix}{repeats[0]}[{index + 1}]/")


def missing_files(engine: FormEngine, answers: dict) -> list[Problem]:
    """File answers that do not name a stored file of their question's type."""
    found = []
    for question in engine.questions:
        if not question_type(question["type"]).takes_file:
            continue
        for key, value in _values(answers, _repeats_above(engine, question),
                                  engine.keys[question["path"]], ""):
            if not isinstance(value, str) or not is_stored(question["type"], value):
                found.append(Problem(key, _("The file of this answer was not received. "
                                            "Send the interview again.")))
    return found
