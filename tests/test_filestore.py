"""The shared file store: content-addressed, kept whole or not at all in the caller's transaction,
large files in parts, old disk files still read and moved in by ``flask files migrate``."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app import filestore
from survey_app.extensions import db
from survey_app.models import StoredFile, StoredFilePart
from survey_app.refusals import Refused
from tests.full_store import full_database


def _parts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredFilePart))


def test_put_get_exists_delete_by_checksum_and_the_same_bytes_once(app):
    content = "Quyết định 12/QĐ-UBND".encode() * 50
    with app.app_context():
        name = filestore.put(content)
        assert name == hashlib.sha256(content).hexdigest()
        assert filestore.put(content) == name
        db.session.commit()
    with app.app_context():
        assert filestore.exists(name) and filestore.get(name) == content
        assert list(filestore.keys()) == [name]
        assert not filestore.exists("0" * 64) and filestore.get("0" * 64) is None
        assert not filestore.exists("../../etc/passwd") and filestore.get("not-a-name") is None
        filestore.delete(name)
        db.session.commit()
    with app.app_context():
        assert not filestore.exists(name) and list(filestore.keys()) == []
    assert _parts(app) == 0


def test_a_large_file_is_kept_and_read_in_parts(app, tmp_path, monkeypatch):
    monkeypatch.setattr(filestore, "PART_BYTES", 1000)
    content = bytes(range(256)) * 10 + b"end"  # 2,563 bytes: three parts
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with app.app_context():
        name = filestore.put_file(path)
        db.session.commit()
        assert name == hashlib.sha256(content).hexdigest()
        assert [len(part) for part in filestore.chunks(name)] == [1000, 1000, 563]
        assert db.session.get(StoredFile, name).size == len(content)
    with app.app_context():
        empty = filestore.put(b"")
        assert empty == hashlib.sha256(b"").hexdigest() and list(filestore.chunks(empty)) == [b""]


def test_a_file_is_stored_only_when_the_caller_commits(app):
    with app.app_context():
        name = filestore.put(b"%PDF-1.7 not committed")
        db.session.rollback()
    with app.app_context():
        assert not filestore.exists(name)
    assert _parts(app) == 0


def test_a_full_database_answers_507_and_keeps_nothing(app):
    with full_database(app), app.test_request_context("/"), pytest.raises(Refused) as refused:
        filestore.put(b"\xff\xd8\xff" + bytes(200000))
    assert refused.value.status == 507 and "Ổ đĩa của máy chủ đã đầy" in refused.value.message
    assert _parts(app) == 0
    with app.app_context():
        assert list(filestore.keys()) == []


def test_old_disk_files_are_read_then_moved_in_by_the_command(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))  # only this test's old files
    uploads = tmp_path
    evidence, photo, report = b"%PDF-1.4 minh chung", b"\x89PNG anh", b"%PDF-1.7 bao cao"
    names = [hashlib.sha256(c).hexdigest() for c in (evidence, photo, report)]
    paths = [uploads / "evidence" / names[0][:2] / names[0], uploads / "answers" / f"{names[1]}.png",
             uploads / "publications" / "HNM-2024" / f"v1-{names[2][:12]}.pdf"]
    for path, content in zip(paths, (evidence, photo, report)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    with app.app_context():
        assert [filestore.get(n) for n in names] == [evidence, photo, report]
        assert list(filestore.keys()) == []
    result = app.test_cli_runner().invoke(args=["files", "migrate"])
    assert result.exit_code == 0 and "3 tệp" in result.output, result.output
    assert not any(path.exists() for path in paths)
    with app.app_context():
        assert sorted(filestore.keys()) == sorted(names)
        assert [filestore.get(n) for n in names] == [evidence, photo, report]
    checked = app.test_cli_runner().invoke(args=["files", "check"])
    assert checked.exit_code == 0 and "3" in checked.output, checked.output


def test_the_check_command_finds_a_file_whose_bytes_changed(app):
    with app.app_context():
        name = filestore.put(b"%PDF-1.4 original")
        db.session.commit()
        db.session.execute(StoredFilePart.__table__.update().values(content=b"%PDF-1.4 tampered"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["files", "check"])
    assert result.exit_code == 1 and name in result.output
