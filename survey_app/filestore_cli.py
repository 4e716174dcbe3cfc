"""``flask --app wsgi files migrate``: move the files kept on this machine's disk before the shared
file store (evidence, answer files, publication reports) into it, so every web process serves them.
``files check`` reads every stored file back and compares it with its SHA-256."""
from __future__ import annotations

import hashlib

import click
from flask.cli import AppGroup

from survey_app.i18n import _

files_cli = AppGroup("files", help="The shared file store (evidence, answer files, job results, reports).")


@files_cli.command("migrate")
def files_migrate():
    """Move every file of UPLOAD_FOLDER/evidence, answers and publications into the file store
    (and, with FILE_STORE=s3://…, every file the database kept)."""
    from survey_app.filestore import migrate_disk_files

    moved, size = migrate_disk_files()
    click.echo(_("%(files)s files (%(mb)s MB) moved into the file store.",
                 files=moved, mb=f"{size / 1024 / 1024:.1f}"))


@files_cli.command("check")
def files_check():
    """Read every stored file back and compare it with its SHA-256; exit 1 on a difference."""
    from survey_app.filestore import chunks, keys

    bad = checked = 0
    for name in list(keys()):
        digest = hashlib.sha256()
        for part in chunks(name):
            digest.update(part)
        checked += 1
        if digest.hexdigest() != name:
            bad += 1
            click.echo(_("The stored file %(name)s does not match its checksum.", name=name), err=True)
    click.echo(_("%(files)s stored files checked, %(bad)s different.", files=checked, bad=bad))
    if bad:
        raise SystemExit(1)
