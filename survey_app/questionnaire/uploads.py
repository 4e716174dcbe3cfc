"""Files answered to image, audio, video and osm questions: checked, kept in the shared file store
(:mod:`survey_app.filestore`) under their SHA-256, and referred to in the answers by that name and
suffix (as ODK refers to attachments by file name). The caller's commit stores the file.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import current_app

from survey_app import filestore
from survey_app.i18n import _
from survey_app.refusals import MessageRefused
from survey_app.questionnaire.types import file_types

MAGIC = {".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".png": b"\x89PNG", ".webp": b"RIFF"}


#: An answer value naming a stored file: its SHA-256 and a lower-case suffix.
STORED_NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,5})$")


class UploadRefused(MessageRefused):
    """A file the questionnaire does not take; the message is for the respondent, the status
    for an API client (415: not a type taken here, 413: too large, 422: empty or not what its
    name says)."""


def answer_file_limit() -> int:
    """The largest answer file taken, in bytes (``ANSWER_FILE_MAX_BYTES``; the offline
    collector gets the same number in its bundle)."""
    return int(current_app.config.get("ANSWER_FILE_MAX_BYTES", 5 * 1024 * 1024))


def is_stored(kind: str, value: str) -> bool:
    """True when ``value`` is the name of a stored file of a type ``kind`` questions take."""
    match = STORED_NAME.match(value or "")
    return bool(match) and match.group(1) in file_types()[kind] and filestore.exists(value[:64])


def store_answer_file(kind: str, storage) -> str:
    """Check and keep an uploaded file; return the answer value (``<sha256><suffix>``)."""
    suffix = Path(storage.filename or "").suffix.lower()
    if suffix not in file_types()[kind]:
        raise UploadRefused(_("This file type is not accepted here (%(types)s).",
                              types=", ".join(sorted(file_types()[kind]))), 415)
    content = storage.read(answer_file_limit() + 1)
    if len(content) > answer_file_limit():
        raise UploadRefused(_("The file is larger than %(mb)d MB.", mb=answer_file_limit() // (1024 * 1024)), 413)
    if not content or (suffix in MAGIC and not content.startswith(MAGIC[suffix])):
        raise UploadRefused(_("The file is empty or not what its name says."))
    return filestore.put(content) + suffix
