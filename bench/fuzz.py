"""Seeded fuzzing of every public, citizen and collector endpoint through gunicorn: no input may
get a 5xx (the offline collector retries on 5xx, so a malformed record would loop for ever).

    .venv/bin/python bench/fuzz.py [--db sqlite|postgres|both] [--requests 10000]
                                   [--seconds 300] [--clients 4] [--seed 13]

For each database it builds a fresh demo (a throwaway PostgreSQL database beside
``BENCH_DATABASE_URL`` or a SQLite file, as ``bench/ingest.py``), gives the demo enumerator a
device token, starts ``gunicorn -w 2 --threads 4`` on 127.0.0.1 only, and sends ``--requests``
seeded requests (or fewer when ``--seconds`` run out) built from the app's own URL rules:
paths with valid, mutated, huge (2³¹, 2⁶³), negative, NUL and non-ASCII values, forms with and
without a CSRF token, and the collector's JSON sends with every field replaced by another type,
a NUL, a huge id, deep nesting or raw garbage. Rate limits are switched off
(``RATELIMIT_ENABLED=0``) so that the requests reach the code behind them. It prints the count
per status and every 5xx (method, path, body excerpt); it exits 1 when there was one, or when the
time ran out before ``--requests`` were sent (said loudly: fewer requests prove less).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import database, serve  # noqa: E402

PUBLIC_BLUEPRINTS = ("public", "auth", "api")
COLLECTOR_ENDPOINTS = ("field.collector", "field.service_worker", "field.manifest", "field.register_device")
NASTY_TEXT = ["\x00", "a\x00b", "%00", "\ud800", "'; DROP TABLE users; --", "<script>x</script>", "=HYPERLINK(1)",
              "..", "../../etc/passwd", "x" * 5000, "Đường 1", "😀", " ", "", "null", "0", "-1",
              str(2**31), str(2**63), str(2**64), "1e309", "NaN", "[]", "{}"]
NASTY_JSON = [None, True, False, 0, -1, 2**31, 2**63, 2**64, -2**63 - 1, 1.5, 1e308, "", "\x00", "\ud800",
              "x" * 3000, [], {}, [1, [2, [3]]], {"a": {"b": {}}}, "2024-13-45T99:99:99Z", "NaN"]


def prepare(url: str, folder: Path) -> dict:
    """Migrate, load the demo and collect what valid requests need."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from survey_app import Config, create_app
    from survey_app.demo import load_demo
    from survey_app.extensions import db
    from survey_app.field.bundle import bundle
    from survey_app.field.tokens import issue
    from survey_app.models import AdminUnit, Campaign, Invitation, User

    class FuzzConfig(Config):
        ENV, SECRET_KEY, SQLALCHEMY_DATABASE_URI, INSTANCE = "testing", "fuzz", url, folder
        UPLOAD_FOLDER = str(folder / "uploads")

    app = create_app(FuzzConfig)
    with app.app_context():
        upgrade()
        load_demo(progress=lambda iterable, label="": _Quiet(iterable))
        enumerator = db.session.scalar(select(User).where(User.username == "enumerator"))
        _, token = issue(enumerator, "fuzz")
        db.session.commit()
        work = bundle(enumerator)
        rules = []
        for rule in app.url_map.iter_rules():
            public = rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS or rule.endpoint in COLLECTOR_ENDPOINTS
            if public and rule.endpoint != "static":
                rules.append({"rule": rule.rule, "methods": sorted(rule.methods - {"HEAD", "OPTIONS"}),
                              "arguments": sorted(rule.arguments)})
        return {"token": token, "rules": rules, "bundle": work,
                "codes": list(db.session.scalars(select(Invitation.code).limit(200))),
                "campaigns": list(db.session.scalars(select(Campaign.code))),
                "units": list(db.session.scalars(select(AdminUnit.code).limit(200)))}


class _Quiet:
    """The demo's progress, silenced."""

    def __init__(self, iterable):
        self.iterable = iterable

    def __enter__(self):
        return self.iterable

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        return iter(self.iterable)


def q(text: str) -> str:
    """Percent-encoded, lone surrogates as their (invalid) UTF-8 bytes."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _value(rng: random.Random, name: str, world: dict) -> str:
    pools = {"code": world["codes"] + world["campaigns"], "campaign_code": world["campaigns"],
             "unit_code": world["units"]}
    roll = rng.random()
    if roll < 0.45 and pools.get(name):
        value = rng.choice(pools[name])
        return value if rng.random() < 0.7 else value[:-1] + rng.choice("ABCXYZ239")
    if roll < 0.6:
        return str(rng.choice([1, 2, 7, 100, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]))
    return q(rng.choice(NASTY_TEXT))


def _path(rng: random.Random, rule: str, world: dict) -> str:
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: _value(rng, m.group(1), world), rule)
    if rng.random() < 0.3:
        key = rng.choice(["lang", "page", "next", "unit", "id", "case_id", "q", "step"])
        path += "?" + key + "=" + q(rng.choice(NASTY_TEXT + ["vi", "en", "2"]))
    return path


def _submission(rng: random.Random, world: dict) -> dict:
    cases = world["bundle"].get("cases") or [{}]
    case = rng.choice(cases)
    version = case.get("questionnaire_version_id") or 1
    return {"instance_uuid": str(uuid.UUID(int=rng.getrandbits(128))), "case_id": case.get("id", 1),
            "questionnaire_version_id": version, "answers": {"q1": rng.choice(NASTY_JSON)},
            "paradata": {}, "started_at": "2024-09-01T08:00:00Z", "submitted_at": "2024-09-01T08:20:00Z"}


def _visit(rng: random.Random, world: dict) -> dict:
    cases = world["bundle"].get("cases") or [{}]
    return {"client_uuid": str(uuid.UUID(int=rng.getrandbits(128))), "case_id": rng.choice(cases).get("id", 1),
            "outcome": rng.choice(["no_contact", "refused", "ineligible"]), "note": "x",
            "at": "2024-09-01T08:00:00Z", "geolocation": {"lat": 20.5, "lon": 105.9}}


def _mutate(rng: random.Random, body: dict) -> bytes:
    """A valid send with one to three fields replaced, removed or added, or raw garbage."""
    roll = rng.random()
    if roll < 0.08:
        return rng.choice([b"[" * 20000, b"{" * 5000, b"", b"\xff\xfe", b"null", b"[]", b'"x"',
                           b'{"case_id": 1e999}', b'{"case_id": ' + b"9" * 5000 + b"}"])
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(list(body) + ["extra", "id"])
        if rng.random() < 0.2:
            body.pop(key, None)
        else:
            body[key] = rng.choice(NASTY_JSON)
    if rng.random() < 0.15 and isinstance(body.get("answers"), dict):
        body["answers"] = {rng.choice(NASTY_TEXT)[:50]: rng.choice(NASTY_JSON) for _ in range(3)}
    return json.dumps(body).encode("utf-8", "surrogatepass")


class Client:
    """One kept-alive connection with its own cookies."""

    def __init__(self, port: int):
        self.port, self.cookies, self.connection = port, {}, None

    def send(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.connection.request(method, path, body=body or None, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                for header in response.headers.get_all("Set-Cookie") or []:
                    name, _, rest = header.partition("=")
                    self.cookies[name] = rest.split(";")[0]
                return response.status, data
            except (http.client.HTTPException, OSError):
                self.connection = None
                if attempt:
                    return 0, b"connection failed"


def _form_request(rng: random.Random, client: Client, path: str, world: dict):
    fields = {rng.choice(["username", "password", "code", "answer", "q1", "unit_id", "case_id", "label",
                          "remember", "next", "action"]): rng.choice(NASTY_TEXT) for _ in range(rng.randint(0, 4))}
    if rng.random() < 0.6:
        status, page = client.send("GET", path)
        found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page or b"")
        if found:
            fields["csrf_token"] = found.group(1).decode()
    body = "&".join(f"{q(k)}={q(v)}" for k, v in fields.items()).encode()
    return client.send("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})


def one_request(rng: random.Random, client: Client, world: dict):
    """A random request; returns (method, path, body excerpt, status)."""
    token = {"Authorization": "Bearer " + world["token"]}
    roll = rng.random()
    if roll < 0.35:
        path, body = rng.choice(["/api/field/submissions", "/api/field/visits"]), None
        body = _mutate(rng, _submission(rng, world) if path.endswith("submissions") else _visit(rng, world))
        headers = {**token, "Content-Type": rng.choice(["application/json"] * 5 + ["text/plain"])}
        return "POST", path, body[:200], client.send("POST", path, body, headers)[0]
    if roll < 0.42:
        boundary = "fuzz" + str(rng.randint(0, 10**6))
        name = rng.choice(NASTY_TEXT[:12] + ["photo.jpg", "a.png"])
        kind = rng.choice(["image", "audio", "file", "", "\x00"])
        parts = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n"
                 f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                 f"Content-Type: image/jpeg\r\n\r\n").encode("utf-8", "surrogatepass")
        body = parts + rng.randbytes(rng.randint(0, 2000)) + f"\r\n--{boundary}--\r\n".encode()
        headers = {**token, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return "POST", "/api/field/files", body[:120], client.send("POST", "/api/field/files", body, headers)[0]
    if roll < 0.45:
        bad = {"Authorization": "Bearer " + rng.choice(["", "x", "\x00", world["token"][:-1], "é" * 10])}
        return "GET", "/api/field/bundle", b"", client.send("GET", "/api/field/bundle", b"",
                                                              rng.choice([token, bad]))[0]
    rule = rng.choice(world["rules"])
    path = _path(rng, rule["rule"], world)
    if "POST" in rule["methods"] and rng.random() < 0.5:
        return "POST", path, b"form", _form_request(rng, client, path, world)[0]
    return "GET", path, b"", client.send("GET", path)[0]


def fuzz(port: int, world: dict, total: int, seconds: float, clients: int, seed: int) -> tuple[Counter, list]:
    counts, failures, lock = Counter(), [], threading.Lock()
    deadline, sent = time.monotonic() + seconds, [0]

    def run(index: int):
        rng, client = random.Random(seed * 1000 + index), Client(port)
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= total:
                    return
                sent[0] += 1
            method, path, excerpt, status = one_request(rng, client, world)
            with lock:
                counts[status] += 1
                if status >= 500 or status == 0:
                    failures.append((status, method, path[:120], excerpt[:120]))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--port", type=int, default=8793)
    args = parser.parse_args()
    os.environ["RATELIMIT_ENABLED"] = "0"
    bad = 0
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        with tempfile.TemporaryDirectory(prefix="parindex-fuzz-") as tmp:
            folder = Path(tmp)
            url, drop = database(kind, folder)
            try:
                world = prepare(url, folder)
                server = serve(url, folder, args.port)
                try:
                    started = time.monotonic()
                    counts, failures = fuzz(args.port, world, args.requests, args.seconds, args.clients, args.seed)
                    took = time.monotonic() - started
                finally:
                    server.terminate()
                    server.wait(30)
            finally:
                drop()
        bad += report(kind, counts, failures, args.requests, took, args.seed)
    return 1 if bad else 0


def report(kind: str, counts: Counter, failures: list, wanted: int, took: float, seed: int) -> int:
    """Print the count per status and every 5xx; the number of problems (5xx, and a run that sent
    fewer requests than ``wanted`` because the time ran out)."""
    sent = sum(counts.values())
    print(f"{kind}: {sent} requests in {took:.0f} s (seed {seed}); by status:")
    for status, n in sorted(counts.items()):
        print(f"  {status or 'no answer'}: {n}")
    for status, method, path, excerpt in failures:
        print(f"  {status} {method} {path} {excerpt!r}")
    if sent >= wanted:
        return len(failures)
    print(f"!!! {kind}: ONLY {sent} OF {wanted} REQUESTS WERE SENT: the time ran out after {took:.0f} s. "
          f"This run proves less than asked; give more --seconds (or fewer --clients on a busy machine).",
          file=sys.stderr)
    return len(failures) + 1


if __name__ == "__main__":
    sys.exit(main())
