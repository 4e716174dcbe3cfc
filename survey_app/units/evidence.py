"""Evidence documents (*tài liệu kiểm chứng*): type and size checked, kept in the shared file
store (:mod:`survey_app.filestore`) under their SHA-256, so the same file uploaded twice is stored
once, every web process serves it, and a stored file can be checked against its row.
"""
from __future__ import annotations

import os

from flask import current_app

from survey_app.i18n import _
from survey_app.refusals import MessageRefused

# extension → (content type, accepted leading bytes)
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
    "doc": ("application/msword", (OLE,)),
    "xls": ("application/vnd.ms-excel", (OLE,)),
    "ppt": ("application/vnd.ms-powerpoint", (OLE,)),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class EvidenceRefused(MessageRefused):
    """A file that is not accepted; the message is for the user."""


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def clean_filename(name: str) -> str:
    """The file's own name without any folder, control characters or surrounding spaces."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-200:] or "file"


def check(filename: str, content: bytes) -> str:
    """The content type of an acceptable file; :class:`EvidenceRefused` otherwise."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in KINDS:
        raise EvidenceRefused(_("Only PDF, images (PNG, JPEG) and office documents can be attached."))
    if not content:
        raise EvidenceRefused(_("The file is empty."))
    if len(content) > max_bytes():
        raise EvidenceRefused(_("The file is larger than %(size)s MB.", size=max_bytes() // (1024 * 1024)))
    content_type, signatures = KINDS[extension]
    if not any(content.startswith(s) for s in signatures):
        raise EvidenceRefused(_("The file's content does not match its type (.%(ext)s).", ext=extension))
    return content_type
