"""Backup and restore (*sao lưu và khôi phục*) of a running platform: the database, the shared file
store (evidence, answer files, job results, publication reports) and the files still on the old
disk folders, in one ``.tar`` file with a manifest of row counts per table and SHA-256 per file,
checked after a restore. The database store's files are in the database's copy, and checked
against their names after a restore; an object store's files (``FILE_STORE=s3://…``) are copied
into the archive under ``files/store/<sha256>`` and put back by the restore.

The database copy is consistent while the server writes: SQLite through its online backup API
(copying the file of a WAL database loses what is still in the WAL), PostgreSQL through
``pg_dump`` of an exported snapshot, the same snapshot the row counts are read in. Files are copied
after the snapshot, so every file a stored row names is in the archive.

    flask --app wsgi backup -o parindex-2026-12-01.tar
    flask --app wsgi restore parindex-2026-12-01.tar     # into an empty database and folders
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, text

from survey_app import filestore
from survey_app.extensions import db
from survey_app.storage import is_partial

MANIFEST = "manifest.json"
STORE = "store"  # the archive's folder of an object store's files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Hashing:
    """A file read into the archive, hashed on the way: the checksum is of the bytes archived."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        block = self.handle.read(size)
        self.digest.update(block)
        return block


def _add_file(archive: tarfile.TarFile, path: Path, arcname: str) -> str | None:
    """Add ``path`` to the archive and return its SHA-256; ``None`` (skipped) for a file being
    written (a temporary file of :mod:`survey_app.storage`) or one gone while the folder is walked."""
    if is_partial(path):
        return None
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return None
    with handle:  # an open file stays readable when it is renamed or removed meanwhile
        info = archive.gettarinfo(arcname=arcname, fileobj=handle)
        hashing = _Hashing(handle)
        archive.addfile(info, hashing)
        return hashing.digest.hexdigest()


def _folders() -> dict[str, Path]:
    return {"uploads": Path(current_app.config["UPLOAD_FOLDER"]), "jobs": Path(current_app.config["INSTANCE"]) / "jobs"}


def _tables() -> list[str]:
    return [t.name for t in db.metadata.sorted_tables]


def _counts(connection) -> dict[str, int]:
    return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in _tables()}


def _pg_url() -> str:
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _dump_database(folder: Path) -> tuple[str, dict[str, int]]:
    """The database's copy in ``folder`` and its row counts, from one consistent snapshot."""
    if db.engine.dialect.name == "sqlite":
        target = folder / "database.sqlite"
        source = sqlite3.connect(db.engine.url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
        try:
            counts = {name: copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in _tables()}
        finally:
            copy.close()
        return target.name, counts
    target = folder / "database.dump"
    with db.engine.connect() as connection:
        connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        counts = _counts(connection)
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                        f"--file={target}", _pg_url()], check=True, capture_output=True)
        connection.exec_driver_sql("COMMIT")
    return target.name, counts


def make_backup(output: Path) -> dict:
    """Write the archive; returns its manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        name, counts = _dump_database(Path(tmp))
        files = {}
        with tarfile.open(output.with_suffix(output.suffix + ".part"), "w") as archive:
            archive.add(Path(tmp) / name, arcname=name)
            for label, folder in _folders().items():
                for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []:
                    arcname = f"files/{label}/{path.relative_to(folder).as_posix()}"
                    digest = _add_file(archive, path, arcname)
                    if digest is not None:
                        files[arcname] = digest
            files.update(_add_store(archive))
            manifest = {"database": db.engine.dialect.name, "dump": name, "tables": counts, "files": files}
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    output.with_suffix(output.suffix + ".part").replace(output)
    return manifest


def _add_store(archive: tarfile.TarFile) -> dict[str, str]:
    """Every file of an object store into the archive (the database store is in the dump)."""
    if not filestore.backend().external:
        return {}
    added = {}
    for name in list(filestore.keys()):
        content = filestore.get(name)
        info = tarfile.TarInfo(f"files/{STORE}/{name}")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
        added[info.name] = hashlib.sha256(content).hexdigest()
    return added


def _stored_files_differ() -> list[str]:
    """The stored files whose bytes do not hash to their name."""
    problems = []
    for name in list(filestore.keys()):
        digest = hashlib.sha256()
        for part in filestore.chunks(name):
            digest.update(part)
        if digest.hexdigest() != name:
            problems.append(f"stored file {name}: its bytes differ from its checksum")
    return problems


def _database_is_empty() -> bool:
    with db.engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        return not any(connection.execute(text(f'SELECT 1 FROM "{t}" LIMIT 1')).first()
                       for t in _tables() if t in names)


def _restore_database(dump: Path, kind: str) -> None:
    if kind != db.engine.dialect.name:
        raise click.ClickException(f"this backup is of a {kind} database, the platform uses {db.engine.dialect.name}")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        source, target = sqlite3.connect(dump), sqlite3.connect(db.engine.url.database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
                             f"--dbname={_pg_url()}", str(dump)], capture_output=True, text=True)
    if result.returncode != 0:
        raise click.ClickException("pg_restore failed: " + result.stderr.strip().splitlines()[-1])


def verify(manifest: dict) -> list[str]:
    """What differs between the restored platform and the manifest (nothing when all is equal)."""
    problems = []
    with db.engine.connect() as connection:
        for name, count in _counts(connection).items():
            if count != manifest["tables"].get(name):
                problems.append(f"table {name}: {count} rows, the backup has {manifest['tables'].get(name)}")
    folders = _folders()
    for arcname, digest in manifest["files"].items():
        _, label, relative = arcname.split("/", 2)
        if label == STORE:
            content = filestore.get(relative)
            same = content is not None and hashlib.sha256(content).hexdigest() == digest
        else:
            same = (folders[label] / relative).is_file() and _sha256(folders[label] / relative) == digest
        if not same:
            problems.append(f"file {arcname}: missing or different")
    return problems + _stored_files_differ()


def _file_members(archive: tarfile.TarFile, folders: dict[str, Path]) -> list[tuple[tarfile.TarInfo, Path]]:
    """Every file of the archive and where it goes; the whole archive is refused, before anything
    is restored, when a member is not a plain file of a known folder (an absolute path, ``..``, a
    link or a device would write outside the platform's folders)."""
    found = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts:
            raise click.ClickException(f"refused: the archive names {member.name!r}, outside its folders; "
                                       "nothing was restored")
        if path.parts[:1] != ("files",):
            continue
        if not member.isfile() or len(path.parts) < 3 or path.parts[1] not in (*folders, STORE) \
                or (path.parts[1] == STORE and (len(path.parts) != 3 or not filestore.is_name(path.parts[2]))):
            raise click.ClickException(f"refused: {member.name!r} is not a file of the uploads or the jobs; "
                                       "nothing was restored")
        found.append((member, None if path.parts[1] == STORE else folders[path.parts[1]].joinpath(*path.parts[2:])))
    return found


def restore_backup(archive_path: Path, force: bool = False) -> dict:
    """Restore the archive into an empty database and folders; returns the manifest."""
    folders = _folders()
    external = filestore.backend().external and next(iter(filestore.keys()), None) is not None
    if not force and (not _database_is_empty() or external
                      or any(f.exists() and any(f.rglob("*")) for f in folders.values())):
        raise click.ClickException("the database, the file store or the upload and job folders are not empty; "
                                   "restore into an empty platform (or give --force)")
    with tarfile.open(archive_path) as archive, tempfile.TemporaryDirectory() as tmp:
        members = _file_members(archive, folders)
        manifest = json.load(archive.extractfile(MANIFEST))
        archive.extract(manifest["dump"], tmp, filter="data")
        _restore_database(Path(tmp) / manifest["dump"], manifest["database"])
        for member, target in members:
            if target is None:  # a file of the object store
                with archive.extractfile(member) as source:
                    filestore.put(source.read())
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    return manifest


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to write (.tar).")
@with_appcontext
def backup_command(output: Path):
    """Back up the database, the uploads and the job results while the server runs."""
    manifest = make_backup(output)
    click.echo(f"{output}: {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
               f"{len(manifest['files'])} files")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore over a platform that has data (it is replaced).")
@with_appcontext
def restore_command(archive: Path, force: bool):
    """Restore ARCHIVE into an empty database and folders, then check every table and file."""
    manifest = restore_backup(archive, force)
    problems = verify(manifest)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} differences after the restore")
    click.echo(f"restored and checked: {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
               f"{len(manifest['files'])} files")
