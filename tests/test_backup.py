"""Backup of a running platform under a stream of submissions, restored into an empty database and
empty folders: every table's rows and every file's checksum equal those of the backup."""
from __future__ import annotations

import io
import json
import tarfile
import threading
import time
from pathlib import Path

import pytest

from survey_app import filestore
from survey_app.backup import make_backup, verify
from survey_app.extensions import db
from tests.conftest import database_url, make_app
from tests.field.world import bearer, build_world, interview


def test_backup_under_a_stream_of_submissions_restores_equal(app, backend, tmp_path, tmp_path_factory):
    with app.app_context():
        world = build_world(cases_each=40)
    evidence = Path(app.config["UPLOAD_FOLDER"]) / "evidence" / "ab" / "abc"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(b"%PDF-1.4 evidence")
    (Path(app.config["INSTANCE"]) / "jobs").mkdir(exist_ok=True)
    (Path(app.config["INSTANCE"]) / "jobs" / "job1.csv").write_text("a,b\n1,2\n")
    big = bytes(range(256)) * (filestore.PART_BYTES // 256 + 100)  # a file of two parts
    with app.app_context():
        stored = {filestore.put(b"%PDF-1.4 evidence in the store"), filestore.put(big)}
        db.session.commit()
    client, sent, stop = app.test_client(), [], threading.Event()

    def stream():
        for index in range(40):
            if stop.is_set():
                return
            response = client.post("/api/field/submissions", json=interview(world, case_index=index),
                                   headers=bearer(world["token1"]))
            sent.append(response.status_code)

    sender = threading.Thread(target=stream)
    sender.start()
    deadline = time.monotonic() + 60
    while len(sent) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    with app.app_context():
        manifest = make_backup(tmp_path / "backup.tar")
    sender.join()
    assert sent and set(sent) == {201}
    assert 5 <= manifest["tables"]["submission"] <= 40
    assert manifest["tables"]["sync_receipt"] == manifest["tables"]["submission"]
    with tarfile.open(tmp_path / "backup.tar") as archive:
        assert json.load(archive.extractfile("manifest.json")) == manifest

    target = make_app(database_url(backend, tmp_path_factory, "restore"), tmp_path_factory)
    result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup.tar")])
    assert result.exit_code == 0, result.output
    assert "restored and checked" in result.output
    with target.app_context():
        assert verify(manifest) == []
        assert (Path(target.config["UPLOAD_FOLDER"]) / "evidence" / "ab" / "abc").read_bytes() == b"%PDF-1.4 evidence"
        assert set(filestore.keys()) == stored and filestore.get(filestore.sha256_of(big)) == big
        db.session.remove()
    again = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup.tar")])
    assert again.exit_code != 0 and "not empty" in again.output


def test_a_file_gone_while_the_backup_walks_and_a_file_being_written_are_skipped(app, tmp_path, monkeypatch):
    uploads = Path(app.config["UPLOAD_FOLDER"]) / "answers"
    uploads.mkdir(parents=True, exist_ok=True)
    kept, vanishing, writing = uploads / "kept.jpg", uploads / "renamed-away.jpg", uploads / ".upload-k3j9.jpg"
    for path in (kept, vanishing, writing):
        path.write_bytes(b"\xff\xd8\xff" + path.name.encode())
    real_is_file = Path.is_file

    def listed_then_gone(self):
        answer = real_is_file(self)
        if self == vanishing:
            self.unlink()  # the upload finished its rename (or was removed) just after the walk saw it
        return answer

    monkeypatch.setattr(Path, "is_file", listed_then_gone)
    with app.app_context():
        manifest = make_backup(tmp_path / "backup.tar")
    names = set(manifest["files"])
    assert "files/uploads/answers/kept.jpg" in names
    assert not any(name.endswith(("renamed-away.jpg", ".upload-k3j9.jpg")) for name in names)
    with tarfile.open(tmp_path / "backup.tar") as archive:
        assert set(n for n in archive.getnames() if n.startswith("files/")) == names


@pytest.mark.parametrize("evil", ["/tmp/parindex-evil.txt", "files/uploads/../../parindex-evil.txt",
                                  "../parindex-evil.txt", "files/elsewhere/parindex-evil.txt"])
def test_restore_refuses_an_archive_naming_a_path_outside_its_folders(app, tmp_path, evil):
    with app.app_context():
        make_backup(tmp_path / "backup.tar")
    with tarfile.open(tmp_path / "backup.tar", "a") as archive:
        info = tarfile.TarInfo(evil)
        info.size = 5
        archive.addfile(info, io.BytesIO(b"owned"))
    uploads = Path(app.config["UPLOAD_FOLDER"])
    outside = {Path("/tmp/parindex-evil.txt"), uploads.parent.parent / "parindex-evil.txt",
               uploads.parent / "parindex-evil.txt", uploads / "elsewhere" / "parindex-evil.txt"}
    for path in outside:
        path.unlink(missing_ok=True)
    result = app.test_cli_runner().invoke(args=["restore", "--force", str(tmp_path / "backup.tar")])
    assert result.exit_code != 0 and "refused" in result.output and "nothing was restored" in result.output
    assert not any(path.exists() for path in outside)
