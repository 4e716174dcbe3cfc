"""The file store every web process and worker sees (*kho tệp dùng chung*): evidence, answer
files, job results and publication reports, each named by the SHA-256 of its bytes, so the same
bytes are kept once and a file can be checked against its name.

``FILE_STORE`` chooses where the bytes are: ``database`` (the default) keeps them in the
``stored_file`` / ``stored_file_part`` tables, in parts of :data:`PART_BYTES`, inside the caller's
transaction: a file is stored when the caller commits, and a failed write (a full disk answers
507, :func:`survey_app.storage.disk_full`) leaves nothing. ``s3://bucket[/prefix]`` keeps them in
an S3-compatible object store (:mod:`survey_app.filestore_s3`, the optional ``boto3``): an object
appears whole or not at all, and one kept by a transaction that was then rolled back is only an
unused object under its checksum.

Files written on the local disk before this store existed (``UPLOAD_FOLDER/evidence``,
``answers``, ``publications``) are still read from there (:func:`legacy_path`) until
``flask --app wsgi files migrate`` moves them in.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import Response, current_app, stream_with_context
from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from survey_app.extensions import db
from survey_app.models import StoredFile, StoredFilePart

PART_BYTES = 4 * 1024 * 1024
#: SQLSTATE of PostgreSQL's "could not extend file" and SQLite's message for the same.
PG_DISK_FULL, SQLITE_DISK_FULL = "53100", "database or disk is full"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def is_name(sha256: str) -> bool:
    return len(sha256 or "") == 64 and all(c in "0123456789abcdef" for c in sha256)


class DatabaseStore:
    """The files in the database, in parts, written in the caller's transaction."""

    external = False

    def exists(self, sha256: str) -> bool:
        return db.session.get(StoredFile, sha256) is not None

    def put_parts(self, sha256: str, size: int, parts: Iterable[bytes]) -> None:
        if self.exists(sha256):
            return
        try:
            _insert_ignoring(StoredFile, {"sha256": sha256, "size": size})
            for number, content in enumerate(parts):
                _insert_ignoring(StoredFilePart, {"sha256": sha256, "number": number, "content": content})
        except DBAPIError as exc:
            db.session.rollback()  # nothing of the file (nor of the caller's transaction) is kept
            if _disk_full(exc):
                from survey_app.storage import disk_full
                raise disk_full() from None
            raise

    def chunks(self, sha256: str) -> Iterator[bytes]:
        numbers = db.session.scalars(select(StoredFilePart.number).where(StoredFilePart.sha256 == sha256)
                                     .order_by(StoredFilePart.number)).all()
        for number in numbers:  # one part in memory at a time, no cursor held between them
            yield db.session.scalar(select(StoredFilePart.content).where(StoredFilePart.sha256 == sha256,
                                                                         StoredFilePart.number == number))

    def delete(self, sha256: str) -> None:
        db.session.execute(sql_delete(StoredFilePart).where(StoredFilePart.sha256 == sha256))
        db.session.execute(sql_delete(StoredFile).where(StoredFile.sha256 == sha256))

    def keys(self) -> Iterator[str]:
        yield from db.session.scalars(select(StoredFile.sha256).order_by(StoredFile.sha256)).all()


def _insert_ignoring(model, row: dict) -> None:
    """Insert ``row`` unless its key is there: two processes storing the same bytes both succeed."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model).values(**row).on_conflict_do_nothing())


def _disk_full(exc: DBAPIError) -> bool:
    original = exc.orig
    return getattr(original, "sqlstate", None) == PG_DISK_FULL or SQLITE_DISK_FULL in str(original)


def backend():
    """The store ``FILE_STORE`` names, made once per app."""
    app = current_app._get_current_object()
    found = app.extensions.get("parindex_filestore")
    if found is None:
        setting = app.config.get("FILE_STORE") or "database"
        if setting == "database":
            found = DatabaseStore()
        elif setting.startswith("s3://"):
            from survey_app.filestore_s3 import S3Store
            found = S3Store(setting, app.config.get("FILE_STORE_ENDPOINT") or None)
        else:
            raise ValueError(f"FILE_STORE must be 'database' or s3://bucket, not {setting!r}")
        app.extensions["parindex_filestore"] = found
    return found


def put(content: bytes) -> str:
    """Keep ``content``; its SHA-256 (the same bytes again store nothing new)."""
    digest = sha256_of(content)
    parts = (content[i:i + PART_BYTES] for i in range(0, max(len(content), 1), PART_BYTES))
    backend().put_parts(digest, len(content), parts)
    return digest


def put_file(path: Path) -> str:
    """Keep the file at ``path`` (a job's result, possibly large) without reading it whole."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(PART_BYTES), b""):
            digest.update(block)
            size += len(block)
    name = digest.hexdigest()

    def parts():
        with open(path, "rb") as handle:
            yield handle.read(PART_BYTES)
            yield from iter(lambda: handle.read(PART_BYTES), b"")
    backend().put_parts(name, size, parts())
    return name


def exists(sha256: str) -> bool:
    return is_name(sha256) and (backend().exists(sha256) or legacy_path(sha256) is not None)


def chunks(sha256: str) -> Iterator[bytes]:
    """The file's bytes a part at a time; ``KeyError`` for a file that is not stored."""
    if is_name(sha256) and backend().exists(sha256):
        return backend().chunks(sha256)
    path = legacy_path(sha256) if is_name(sha256) else None
    if path is None:
        raise KeyError(sha256)
    return iter([path.read_bytes()])


def get(sha256: str) -> bytes | None:
    try:
        return b"".join(chunks(sha256))
    except KeyError:
        return None


def delete(sha256: str) -> None:
    """Forget the file (the caller commits); a file kept on the old disk folders stays there."""
    if is_name(sha256):
        backend().delete(sha256)


def keys() -> Iterator[str]:
    return backend().keys()


def send(sha256: str, mimetype: str, download_name: str, as_attachment: bool = True) -> Response:
    """The file as a download streamed a part at a time; a 404 when it is not stored."""
    from flask import abort
    from urllib.parse import quote
    try:
        body = chunks(sha256)
    except KeyError:
        abort(404)
    disposition = "attachment" if as_attachment else "inline"
    ascii_name = download_name.encode("ascii", "replace").decode().replace('"', "")
    return Response(stream_with_context(body), mimetype=mimetype, headers={
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download_name)}"})


def legacy_path(sha256: str) -> Path | None:
    """Where a file of this checksum was kept on disk before the store: evidence by its name,
    answer files by name and suffix, publication reports by the first 12 hex digits."""
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    evidence = uploads / "evidence" / sha256[:2] / sha256
    if evidence.is_file():
        return evidence
    for path in sorted((uploads / "answers").glob(f"{sha256}.*")):
        if path.is_file():
            return path
    for path in sorted((uploads / "publications").glob(f"*/v*-{sha256[:12]}.pdf")):
        if _hash_file(path) == sha256:
            return path
    return None


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def disk_files() -> Iterator[Path]:
    """The files still in the old disk folders (what ``files migrate`` moves)."""
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    for folder in ("evidence", "answers", "publications"):
        root = uploads / folder
        if root.exists():
            yield from sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def migrate_disk_files() -> tuple[int, int]:
    """Move every old disk file into the store, and with an object store every file of the
    database store too: each kept, committed, then removed from where it was. Returns (files
    moved, bytes)."""
    moved = size = 0
    for path in disk_files():
        content = path.read_bytes()
        put(content)
        db.session.commit()
        path.unlink()
        moved, size = moved + 1, size + len(content)
    if backend().external:
        in_database = DatabaseStore()
        for name in list(in_database.keys()):
            content = b"".join(in_database.chunks(name))
            backend().put_parts(name, len(content), [content])
            in_database.delete(name)
            db.session.commit()
            moved, size = moved + 1, size + len(content)
    return moved, size
