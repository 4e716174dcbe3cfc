"""Several web machines: two gunicorn instances on two ports, each with its own instance folder (no
shared disk), over one PostgreSQL database and one Redis, and a Huey consumer of its own. A job
started through one is run by the consumer and downloaded through the other; evidence uploaded to
one is served by the other; a login limit reached on one holds on the other, and so do invitation
codes missed; a session ended on one is ended on the other. Needs ``TEST_DATABASE_URL`` and
``TEST_REDIS_URL`` (a Redis database of its own: it is emptied); under ``CI=true`` neither may be
missing."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from tests.conftest import CI, _postgres_database, make_app, need_postgres

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PDF = b"%PDF-1.4\n% minh chung\n" + bytes(range(256)) * 40
SECRET = "two-instances-" + uuid.uuid4().hex


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    problem = None if url else "TEST_REDIS_URL is not set"
    if url:
        import redis
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            problem = f"Redis at {url} does not answer: {exc}"
    if problem:
        if CI:
            pytest.fail(problem + " under CI: the two-instance test cannot run")
        pytest.skip(problem)
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _world(app) -> dict:
    """The field world (a campaign with interviews to export, an analyst) and a unit editor's
    self-assessment campaign to attach evidence to."""
    from survey_app.models import Role
    from tests.field.world import build_world
    from tests.index import builders

    with app.app_context():
        world = build_world(cases_each=2)
        province = builders.unit("P", "province")
        department = builders.unit("D1", "department", province)
        builders.campaign("T-2024", 2024, province, [department])
        builders.user("editor", Role.UNIT_EDITOR, department)
        db.session.commit()
    return world


class Browser:
    """A browser's cookies, sent to whichever instance a request goes to (as behind a load
    balancer: cookies do not depend on the port); redirects are not followed."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._Stay)

    def request(self, base: str, path: str, data=None, headers=None):
        body, headers = data, dict(headers or {})
        if isinstance(data, dict):
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            with self.opener.open(urllib.request.Request(base + path, data=body, headers=headers), timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def token(self, base: str, path: str = "/login") -> str:
        return TOKEN.search(self.request(base, path)[2].decode()).group(1)

    def login(self, base: str, username: str, password: str) -> int:
        return self.request(base, "/login", {"username": username, "password": password,
                                             "csrf_token": self.token(base)})[0]

    def cookies(self) -> dict:
        return {cookie.name: cookie.value for cookie in self.jar}


def _multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                    for key, value in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
             f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two web instances and a worker over one database and one Redis: (url A, url B, app, world)."""
    redis_url = _redis_url()
    url = _postgres_database(need_postgres(), "two")
    app = make_app(url, tmp_path_factory)
    world = _world(app)
    import redis
    redis.Redis.from_url(redis_url).flushdb()
    base_env = {k: v for k, v in os.environ.items()
                if k not in ("HUEY_REDIS_URL", "RATELIMIT_STORAGE_URI", "FILE_STORE", "UPLOAD_FOLDER")}
    base_env.update(PYTHONPATH=str(ROOT), DATABASE_URL=url, REDIS_URL=redis_url, PARINDEX_ENV="production",
                    SECRET_KEY=SECRET, SESSION_COOKIE_SECURE="0", HSTS_SECONDS="0",
                    LOGIN_ACCOUNT_LIMIT="3 per 15 minutes", CODE_ADDRESS_LIMIT="3 per hour",
                    LOGIN_ADDRESS_LIMIT="30 per minute")
    processes, logs, bases = [], tmp_path_factory.mktemp("logs"), []

    def start(name: str, command: list[str]):
        env = dict(base_env, PARINDEX_INSTANCE=str(tmp_path_factory.mktemp(f"instance-{name}")))
        log = open(logs / f"{name}.log", "wb")
        processes.append((subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))

    for name in ("a", "b"):
        port = _free_port()
        bases.append(f"http://127.0.0.1:{port}")
        start(name, [str(BIN / "gunicorn"), "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"])
    start("worker", [str(BIN / "huey_consumer"), "survey_app.tasks.huey", "-w", "1", "-k", "thread"])
    try:
        deadline = time.monotonic() + 60
        for base in bases:
            while not (_answers(base) and Browser().request(base, "/login")[0] == 200):
                assert time.monotonic() < deadline, _tails(logs)
                assert all(p.poll() is None for p, _ in processes), _tails(logs)
                time.sleep(0.3)
        yield bases[0], bases[1], app, world
    finally:
        for process, log in processes:
            process.terminate()
        for process, log in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _answers(base: str) -> bool:
    port = int(base.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _tails(folder: Path) -> str:
    return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:] for p in sorted(folder.iterdir()))


def test_a_job_started_on_one_instance_is_run_by_the_worker_and_downloaded_from_the_other(cluster):
    from tests.field.world import PASSWORD, bearer, interview

    a, b, app, world = cluster
    for index, base in enumerate((a, b)):  # interviews through both instances
        status, _, body = Browser().request(base, "/api/field/submissions",
                                            json.dumps(interview(world, case_index=index)).encode(),
                                            {**bearer(world["token1"]), "Content-Type": "application/json"})
        assert status == 201, body
    analyst = Browser()
    assert analyst.login(a, "analyst", PASSWORD) == 302
    status, headers, _ = analyst.request(a, "/analyst/campaigns/TST-2024/exports", {
        "csrf_token": analyst.token(a, "/analyst/"), "format": "csv", "labels": "codes", "lang": "vi",
        "form": "mini_hai_long"})
    assert status == 303, status
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    deadline = time.monotonic() + 40
    while True:
        status, _, page = analyst.request(b, job_path)  # the job's page on the other instance
        assert status == 200
        if b"/download" in page or "không thực hiện được".encode() in page or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert b"/download" in page, page.decode()[-1500:]
    status, headers, content = analyst.request(b, job_path + "/download")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 3 and "age" in rows[0], rows  # the header and both interviews
    from survey_app.models import Job
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.id == job_path.rsplit("/", 1)[1]))
        assert (job.status, job.progress, job.kind) == ("done", 100, "csv") and job.finished_at is not None


def test_evidence_uploaded_to_one_instance_is_served_by_the_other(cluster):
    from survey_app.models import Evidence
    from tests.index.builders import PASSWORD

    a, b, app, _ = cluster
    editor = Browser()
    assert editor.login(a, "editor", PASSWORD) == 302
    assert editor.request(a, "/units/T-2024/D1", {"save": "1", "csrf_token": editor.token(a, "/")})[0] == 302
    body, headers = _multipart({"csrf_token": editor.token(a, "/")}, "file", "quyet-dinh.pdf", PDF)
    assert editor.request(a, "/units/T-2024/D1/scores/1.1.1/evidence", body, headers)[0] == 302
    with app.app_context():
        evidence_id = db.session.scalar(select(Evidence.id).where(Evidence.filename == "quyet-dinh.pdf"))
    status, headers, content = editor.request(b, f"/units/T-2024/D1/evidence/{evidence_id}")
    assert status == 200 and content == PDF and headers["Content-Type"] == "application/pdf"


def test_a_login_limit_reached_on_one_instance_holds_on_the_other(cluster):
    from tests.field.world import PASSWORD

    a, b, _, _ = cluster
    for _ in range(3):  # LOGIN_ACCOUNT_LIMIT is 3 failed sign-ins per account here
        assert Browser().login(a, "supervisor", "not the password") == 422
    assert Browser().login(b, "supervisor", PASSWORD) == 429
    assert Browser().login(b, "supervisor2", PASSWORD) == 302  # another account is not held


def test_invitation_codes_missed_on_one_instance_count_on_the_other(cluster):
    a, b, _, _ = cluster
    guesser = Browser()
    for guess in ("TSTAAAA2222", "TSTAAAA3333", "TSTAAAA4444"):  # CODE_ADDRESS_LIMIT is 3 misses here
        assert guesser.request(a, f"/q/{guess}")[0] == 404
    assert guesser.request(b, "/q/TSTAAAA5555")[0] == 429


def test_a_session_ended_on_one_instance_is_ended_on_the_other(cluster):
    from tests.field.world import PASSWORD

    a, b, _, _ = cluster
    user = Browser()
    assert user.login(a, "enum1", PASSWORD) == 302
    copy = Browser()
    for cookie in user.jar:
        copy.jar.set_cookie(cookie)
    assert copy.request(b, "/field/")[0] == 200  # the same session on the other instance
    assert user.request(a, "/logout", {"csrf_token": user.token(a, "/field/")})[0] == 302
    status, headers, _ = copy.request(b, "/field/")  # the old cookie, sent to the other instance
    assert status == 302 and "/login" in headers["Location"]
