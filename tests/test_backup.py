"""Backup of a running platform under a stream of submissions, restored into an empty database and
empty folders: every table's rows and every file's checksum equal those of the backup."""
from __future__ import annotations

import json
import tarfile
import threading
import time
from pathlib import Path

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
    client, stored, stop = app.test_client(), [], threading.Event()

    def stream():
        for index in range(40):
            if stop.is_set():
                return
            response = client.post("/api/field/submissions", json=interview(world, case_index=index),
                                   headers=bearer(world["token1"]))
            stored.append(response.status_code)

    sender = threading.Thread(target=stream)
    sender.start()
    deadline = time.monotonic() + 60
    while len(stored) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    with app.app_context():
        manifest = make_backup(tmp_path / "backup.tar")
    sender.join()
    assert stored and set(stored) == {201}
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
        db.session.remove()
    again = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup.tar")])
    assert again.exit_code != 0 and "not empty" in again.output
