"""Writing a whole file or nothing (*ghi trọn tệp*): through a temporary file renamed into place,
so a reader never sees half a file; a full disk leaves no partial file and answers 507 with a
message (the sender may try again later), never a 500."""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from survey_app.i18n import _
from survey_app.refusals import Refused

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
ALMOST_FULL = 64 * 1024  # bytes free under which a failed write is taken for a full disk


def disk_full() -> Refused:
    return Refused(507, (), _("The server's disk is full: the file was not stored. Nothing was changed; "
                              "please try again later and tell the administrator."))


def is_partial(path: Path) -> bool:
    """A file still being written: the temporary files of this module all start with a dot."""
    return Path(path).name.startswith(".")


def _is_full(exc: BaseException, folder: Path) -> bool:
    """A full disk, said by the error (its errno, or its cause's: openpyxl and WeasyPrint wrap it)
    or, for a writer that hides the errno (pyreadstat), by the free space left."""
    seen = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in DISK_FULL:
            return True
        seen = seen.__cause__ or seen.__context__
    try:
        return shutil.disk_usage(folder).free < ALMOST_FULL
    except OSError:
        return False


def _temporary(target: Path, prefix: str) -> tuple[int, str]:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=target.suffix)
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise disk_full() from None
        raise


@contextmanager
def _kept_when_whole(temporary: str, target: Path):
    """Rename ``temporary`` onto ``target`` when the block ends; remove it if the block fails."""
    try:
        yield
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, Exception) and not isinstance(exc, Refused) and _is_full(exc, target.parent):
            raise disk_full() from None
        raise


def write_whole(target: Path, content: bytes, prefix: str = ".upload-") -> None:
    """Write ``content`` to ``target`` atomically; raise a 507 :class:`Refused` when the disk is full."""
    target = Path(target)
    handle, temporary = _temporary(target, prefix)
    with _kept_when_whole(temporary, target):
        with os.fdopen(handle, "wb") as out:
            out.write(content)


@contextmanager
def whole_file(target: Path, prefix: str = ".part-") -> Iterator[Path]:
    """A path beside ``target`` for a writer that wants a file name (csv, openpyxl, pyreadstat):
    renamed onto ``target`` when the block ends, removed when it fails; a 507 when the disk is full."""
    target = Path(target)
    handle, temporary = _temporary(target, prefix)
    os.close(handle)
    with _kept_when_whole(temporary, target):
        yield Path(temporary)
