"""Files answered to image, audio, video and osm questions: checked, stored on disk under their
SHA-256, and referred to in the answers by that name (as ODK refers to attachments by file name).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app

from survey_app.i18n import _

ACCEPTED = {
    "image": {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"},
    "audio": {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".wav": "audio/wav"},
    "video": {".mp4": "video/mp4", ".webm": "video/webm", ".3gp": "video/3gpp"},
    "osm": {".osm": "application/xml", ".xml": "application/xml"},
}
FILE_TYPES = tuple(ACCEPTED)
MAGIC = {".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".png": b"\x89PNG", ".webp": b"RIFF"}


class UploadRefused(ValueError):
    """A file the questionnaire does not take; the message is for the respondent."""


def _limit() -> int:
    return int(current_app.config.get("ANSWER_FILE_MAX_BYTES", 5 * 1024 * 1024))


def store_answer_file(kind: str, storage) -> str:
    """Check and keep an uploaded file; return the answer value (``<sha256><suffix>``)."""
    suffix = Path(storage.filename or "").suffix.lower()
    if suffix not in ACCEPTED[kind]:
        raise UploadRefused(_("This file type is not accepted here (%(types)s).",
                              types=", ".join(sorted(ACCEPTED[kind]))))
    content = storage.read(_limit() + 1)
    if len(content) > _limit():
        raise UploadRefused(_("The file is larger than %(mb)d MB.", mb=_limit() // (1024 * 1024)))
    if not content or (suffix in MAGIC and not content.startswith(MAGIC[suffix])):
        raise UploadRefused(_("The file is empty or not what its name says."))
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "answers"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{suffix}"
    if not target.exists():
        target.write_bytes(content)
    return target.name
