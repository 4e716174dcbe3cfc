"""Writing a whole file or nothing (*ghi trọn tệp*): through a temporary file renamed into place,
so a reader never sees half a file; a full disk leaves no partial file and answers 507 with a
message (the sender may try again later), never a 500."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from survey_app.i18n import _
from survey_app.refusals import Refused

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def disk_full() -> Refused:
    return Refused(507, (), _("The server's disk is full: the file was not stored. Nothing was changed; "
                              "please try again later and tell the administrator."))


def write_whole(target: Path, content: bytes, prefix: str = ".upload-") -> None:
    """Write ``content`` to ``target`` atomically; raise a 507 :class:`Refused` when the disk is full."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=prefix)
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise disk_full() from None
        raise
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            raise disk_full() from None
        raise
