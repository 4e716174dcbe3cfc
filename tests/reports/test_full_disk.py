"""A full disk while a job's file, a publication's report or a report PDF is written: the job fails
with the clear message, a page or command answers 507 or says so, and no partial file is left
(nor a stored file: the shared file store keeps a file whole or not at all)."""
from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

import click
import pytest

from survey_app import filestore
from survey_app.extensions import db
from survey_app.models import Campaign, Job
from survey_app.refusals import Refused

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FULL = "Ổ đĩa của máy chủ đã đầy"


def _stored(app) -> set[str]:
    with app.app_context():
        return set(filestore.keys())


class FullDisk:
    """What ``os.fdopen`` gives while the disk is full: half the bytes land, then ENOSPC."""

    real = staticmethod(os.fdopen)

    def __init__(self, handle, mode="r", *args, **kwargs):
        self.file = self.real(handle, mode, *args, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def write(self, data):
        self.file.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


def _half_then_full(spec, target, progress=None):
    """An export writer meeting a full disk half-way through its file."""
    Path(target).write_text("submission_id,answer\n1,", encoding="utf-8")
    raise OSError(errno.ENOSPC, "No space left on device")


def test_an_export_job_on_a_full_disk_fails_with_the_message_and_leaves_no_file(demo_client, demo_auth,
                                                                                monkeypatch):
    from survey_app.exports import writers

    demo_auth.login("analyst")
    before = _stored(demo_client.application)
    temporary = set(Path(tempfile.gettempdir()).glob("parindex-job-*"))
    monkeypatch.setattr(writers, "write_csv", _half_then_full)
    token = TOKEN.search(demo_client.get("/analyst/").get_data(as_text=True)).group(1)
    started = demo_client.post("/analyst/campaigns/HNM-2024/exports",
                               data={"csrf_token": token, "format": "csv", "labels": "codes", "lang": "vi",
                                     "form": "sipas_citizen"})
    assert started.status_code == 303
    page = demo_client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Công việc không thực hiện được:" in page and FULL in page
    assert demo_client.get(started.headers["Location"] + "/download").status_code == 404
    job_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    with demo_client.application.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.file_sha256) == ("failed", None) and FULL in job.error
    assert _stored(demo_client.application) == before  # its state only, no partial export
    assert set(Path(tempfile.gettempdir()).glob("parindex-job-*")) == temporary


def test_the_publications_report_on_a_full_disk_is_507_and_no_file(app):
    from survey_app.campaigns.publication import store_report
    from tests.full_store import full_database

    with full_database(app), app.test_request_context("/"), pytest.raises(Refused) as refused:
        store_report(b"%PDF-1.7 " + b"x" * 100000)
    assert refused.value.status == 507 and FULL in refused.value.message
    assert _stored(app) == set()


def test_a_report_pdf_on_a_full_disk_leaves_no_file_and_the_command_says_why(app, tmp_path, monkeypatch):
    from survey_app.reports import cli, render

    monkeypatch.setattr(render, "pdf_bytes", lambda *args, **kwargs: b"%PDF-1.7 " + b"x" * 10000)
    monkeypatch.setattr(os, "fdopen", FullDisk)
    with app.test_request_context("/"), pytest.raises(Refused) as refused:
        render.write_pdf(Campaign(code="HNM-2030"), tmp_path / "report.pdf")
    assert refused.value.status == 507
    with app.test_request_context("/"), pytest.raises(click.ClickException, match=FULL):
        cli._write(str(tmp_path / "letters.pdf"), lambda: b"%PDF-1.7 " + b"x" * 10000)
    assert list(tmp_path.iterdir()) == []


def test_a_whole_file_writer_on_a_full_disk_answers_507_and_removes_its_part(app, tmp_path):
    from survey_app.storage import whole_file

    with app.test_request_context("/"), pytest.raises(Refused) as refused:
        with whole_file(tmp_path / "export.xlsx") as part:
            _half_then_full(None, part)
    assert refused.value.status == 507 and FULL in refused.value.message
    assert list(tmp_path.iterdir()) == []
    with app.test_request_context("/"), whole_file(tmp_path / "export.xlsx") as part:
        part.write_bytes(b"whole")
    assert [p.name for p in tmp_path.iterdir()] == ["export.xlsx"] and (tmp_path / "export.xlsx").read_bytes() == b"whole"
