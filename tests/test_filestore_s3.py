"""The file store in an S3-compatible object store (``FILE_STORE=s3://bucket/prefix``), against a
local S3 server (moto's ``moto_server``): files by checksum, a large one sent in parts, evidence
uploaded and served through it, and a backup that carries the objects and restores them into an
empty bucket. ``boto3`` and ``moto[server]`` come with the ``test`` extra."""
from __future__ import annotations

import hashlib
import os
import socket
import sys
import subprocess
import time
import uuid
from io import BytesIO
from pathlib import Path

import boto3  # the test extra installs it, and moto's server
import pytest

from survey_app.extensions import db
from tests.conftest import csrf_token, database_url, make_app
from tests.programs import need_program



def _server() -> str:
    """moto's S3 server beside this Python (the ``test`` extra) or on the PATH; under CI a missing
    one fails."""
    beside = Path(sys.executable).with_name("moto_server")
    return str(beside) if beside.exists() else need_program("moto_server", "for the S3 file store's test")


CREDENTIALS = {"AWS_ACCESS_KEY_ID": "parindex", "AWS_SECRET_ACCESS_KEY": "parindex-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """A local S3 server: its address and a boto3 client."""
    saved = {key: os.environ.get(key) for key in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    port = _free_port()
    process = subprocess.Popen([_server(), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.list_buckets()
            break
        except Exception:  # noqa: BLE001 - not listening yet
            assert time.monotonic() < deadline and process.poll() is None, "moto_server did not start"
            time.sleep(0.2)
    yield endpoint, client
    process.terminate()
    process.wait(timeout=10)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _s3_app(backend, tmp_path_factory, endpoint, client):
    bucket = f"parindex-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)
    app = make_app(database_url(backend, tmp_path_factory, "s3"), tmp_path_factory,
                   FILE_STORE=f"s3://{bucket}/files", FILE_STORE_ENDPOINT=endpoint)
    return app, bucket


def test_files_by_checksum_in_the_object_store(backend, tmp_path_factory, tmp_path, s3):
    from survey_app import filestore

    endpoint, client = s3
    app, bucket = _s3_app(backend, tmp_path_factory, endpoint, client)
    small = "Quyết định".encode() * 10
    large = os.urandom(9 * 1024 * 1024)  # above boto3's multipart threshold: sent in parts
    (tmp_path / "large.bin").write_bytes(large)
    with app.app_context():
        name = filestore.put(small)
        assert name == hashlib.sha256(small).hexdigest() and filestore.put(small) == name
        big = filestore.put_file(tmp_path / "large.bin")
        assert filestore.exists(name) and filestore.get(name) == small and filestore.get(big) == large
        assert sorted(filestore.keys()) == sorted([name, big])
        keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
        assert sorted(keys) == sorted(f"files/{n[:2]}/{n}" for n in (name, big))
        filestore.delete(name)
        assert not filestore.exists(name) and filestore.get(name) is None
        kept = b"%PDF-1.4 kept by the database store before the switch"
        filestore.DatabaseStore().put_parts(filestore.sha256_of(kept), len(kept), [kept])
        db.session.commit()
        assert not filestore.exists(filestore.sha256_of(kept))
    result = app.test_cli_runner().invoke(args=["files", "migrate"])
    assert result.exit_code == 0 and "1 tệp" in result.output, result.output
    with app.app_context():
        assert filestore.get(filestore.sha256_of(kept)) == kept
        assert list(filestore.DatabaseStore().keys()) == []
        db.session.remove()
        db.engine.dispose()


def test_evidence_and_a_backup_through_the_object_store(backend, tmp_path_factory, tmp_path, s3):
    from survey_app import filestore
    from survey_app.backup import make_backup
    from survey_app.models import Evidence, Role
    from tests.index import builders

    endpoint, client = s3
    app, bucket = _s3_app(backend, tmp_path_factory, endpoint, client)
    with app.app_context():
        province = builders.unit("P", "province")
        department = builders.unit("D1", "department", province)
        builders.campaign("T-2024", 2024, province, [department])
        builders.user("editor", Role.UNIT_EDITOR, department)
        db.session.commit()
    editor = app.test_client()
    assert editor.post("/login", data={"username": "editor", "password": builders.PASSWORD,
                                       "csrf_token": csrf_token(editor, "/login")}).status_code == 302
    assert editor.post("/units/T-2024/D1", data={"save": "1", "csrf_token": csrf_token(editor, "/")}).status_code == 302
    pdf = b"%PDF-1.4 minh chung " + os.urandom(2000)
    attached = editor.post("/units/T-2024/D1/scores/1.1.1/evidence", content_type="multipart/form-data",
                           data={"file": (BytesIO(pdf), "qd.pdf"), "csrf_token": csrf_token(editor, "/")})
    assert attached.status_code == 302
    with app.app_context():
        found = db.session.query(Evidence).one()
        assert client.get_object(Bucket=bucket, Key=f"files/{found.sha256[:2]}/{found.sha256}")["Body"].read() == pdf
        manifest = make_backup(tmp_path / "backup.tar")
    assert manifest["files"] == {f"files/store/{found.sha256}": hashlib.sha256(pdf).hexdigest()}
    assert editor.get(f"/units/T-2024/D1/evidence/{found.id}").data == pdf

    target, _ = _s3_app(backend, tmp_path_factory, endpoint, client)  # an empty database and bucket
    result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup.tar")])
    assert result.exit_code == 0 and "restored and checked" in result.output, result.output
    with target.app_context():
        assert filestore.get(found.sha256) == pdf
        db.session.remove()
    again = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup.tar")])
    assert again.exit_code != 0 and "not empty" in again.output
    for each in (app, target):
        with each.app_context():
            db.engine.dispose()
