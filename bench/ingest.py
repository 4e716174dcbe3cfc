"""Submissions per second through real HTTP: concurrent local clients → gunicorn → the field
sync endpoint (device-token auth, full server-side validation, idempotent storage).

    .venv/bin/python bench/ingest.py [--db postgres|sqlite|both] [--form sipas|wide|both]
                                     [--seconds 15] [--clients 24 | 8,16,24] [--baseline]
                                     [--workers 2] [--threads 4] [--in-process N]

For each database and form it builds a fresh database (a throwaway PostgreSQL database beside
``BENCH_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1/postgres``, or a SQLite file),
migrates it, creates one campaign, enumerators with device tokens and one assigned case per
submission, starts ``gunicorn -w 2 --threads 4``, waits until both workers have imported the app
and ``/api/health`` answers (worker boot is not timed), and lets the clients send for ``--seconds``.
Each send is what the offline collector sends: the answers, and paradata with the time on each
question, the position and the device. It prints submissions per second, p50 and p99 latency,
and whether the number of rows stored equals the number of acknowledgements. ``wide`` is a
generated 250-question form. With 2 workers × 4 threads, more than 8 clients only queue: their
latency grows, not the rate.

``--baseline`` first measures, in the same run and with the same clients and gunicorn settings,
the ceiling the issue names: a bare Flask app inserting the same JSON documents through
SQLAlchemy (``bench/bare_app.py``). Each line also gives the CPU milliseconds spent per
submission by the clients, by gunicorn and by PostgreSQL (from ``/proc``), to show where the
machine's two cores go.

``--in-process N`` skips gunicorn: N sends one after another through Flask's test client in
this process, printing the CPU time and the SQL statements per request (after 20 warm-up sends).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIPAS = ROOT / "questionnaires" / "sipas_citizen.md"
FRAMEWORK = ROOT / "questionnaires" / "frameworks" / "par_units_2024.yaml"
ENUMERATORS = 100


def wide_form(path: Path, questions: int = 250) -> Path:
    """A 250-question XLSForm (integers with constraints, Likert selects, some relevance)."""
    rows = ["| survey |  |  |  |  |  |", "|  | type | name | label | constraint | relevant |"]
    for i in range(questions):
        if i % 5 == 0:
            rows.append(f"|  | integer | q{i:03d} | Số {i} | . >= 0 and . <= 100 |  |")
        elif i % 5 == 4:
            rows.append(f"|  | select_one yn | q{i:03d} | Câu {i} |  | ${{q{i - 4:03d}}} > 10 |")
        else:
            rows.append(f"|  | select_one sat5 | q{i:03d} | Câu {i} |  |  |")
    rows += ["| choices |  |  |  |", "|  | list_name | name | label |"]
    rows += [f"|  | sat5 | {n} | Mức {n} |" for n in range(1, 6)]
    rows += ["|  | yn | yes | Có |", "|  | yn | no | Không |"]
    rows += ["| settings |  |  |", "|  | form_id | version |", "|  | bench_wide | 1 |"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def wide_answers(rng: random.Random) -> dict:
    answers = {}
    for i in range(250):
        if i % 5 == 0:
            answers[f"q{i:03d}"] = str(rng.randint(0, 100))
        elif i % 5 == 4:
            if int(answers[f"q{i - 4:03d}"]) > 10:
                answers[f"q{i:03d}"] = rng.choice(["yes", "no"])
        else:
            answers[f"q{i:03d}"] = str(rng.randint(1, 5))
    return answers


def sipas_answers(rng: random.Random) -> dict:
    answers = {"service_used": "dat_dai", "service_channel": "direct", "sex": rng.choice("12"),
               "age_group": rng.choice(["18_29", "30_44", "45_59", "60_plus"]), "education": "primary",
               "ethnicity": "kinh", "sat_overall": "4", "suggestion": "Cán bộ nhiệt tình, chu đáo."}
    for i in range(1, 23):
        for kind in ("per", "sat", "exp"):
            answers[f"{kind}_c{i:02d}"] = str(rng.randint(1, 5))
    return answers


def database(kind: str, folder: Path) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    base = make_url(os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/postgres"))
    name = f"parindex_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return base.set(database=name).render_as_string(hide_password=False), drop


def prepare(url: str, folder: Path, form: Path, cases: int) -> tuple[list[tuple[str, int]], int]:
    """Migrate, then one campaign, enumerators with tokens and ``cases`` assigned cases."""
    from flask_migrate import upgrade

    from survey_app import Config, create_app
    from survey_app.extensions import db
    from survey_app.field.tokens import issue
    from survey_app.frameworks import load_framework
    from survey_app.models import (AdminUnit, Assignment, Campaign, CampaignQuestionnaire, Role,
                                   SampleCase, SampleList, UnitLevel, User, UserRole)
    from survey_app.questionnaire.importer import import_form

    class BenchConfig(Config):
        ENV, SECRET_KEY, SQLALCHEMY_DATABASE_URI, INSTANCE = "testing", "bench", url, folder

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade()
        db.session.info["skip_audit"] = True
        level = UnitLevel(code="commune", name_vi="Xã", name_en="Commune")
        province = AdminUnit(code="35", name="Tỉnh Hà Nam", level=level)
        commune = AdminUnit(code="13285", name="Phường Quang Trung", level=level, parent=province)
        campaign = Campaign(code="BENCH", title="Bench", year=2024, province=province,
                            framework=load_framework(FRAMEWORK))
        version = import_form(form.name, form.read_bytes(), publish=True)
        db.session.add_all([province, commune, campaign])
        db.session.flush()
        db.session.add(CampaignQuestionnaire(campaign_id=campaign.id, questionnaire_version_id=version.id,
                                             audience="citizens"))
        sample = SampleList(campaign_id=campaign.id, name="bench", method="list")
        users, tokens = [], []
        for n in range(ENUMERATORS):
            user = User(username=f"dtv{n}", full_name=f"Điều tra viên {n}", password_hash="x")
            user.roles.append(UserRole(role=Role.ENUMERATOR, unit=commune))
            users.append(user)
            tokens.append(issue(user, "bench")[1])
        db.session.add_all(users)
        db.session.flush()
        per_user: dict[int, list] = {}
        for i in range(cases):
            case = SampleCase(sample_list=sample, unit=commune, stratum="13285", label=f"Hộ {i}",
                              selection_probability=0.01)
            case.assignment = Assignment(enumerator=users[i % ENUMERATORS])
            per_user.setdefault(i % ENUMERATORS, []).append(case)
        db.session.add(sample)
        db.session.commit()
        work = [(tokens[u], c.id) for u, found in per_user.items() for c in found]
        return work, version.id


WORKERS, THREADS = 2, 4  # the issue's setting; --workers/--threads to try others
#: A gunicorn config file: each worker leaves a file once it has imported the app.
READY_HOOK = """import pathlib
def post_worker_init(worker):
    pathlib.Path({folder!r}, "ready-%d" % worker.pid).touch()
"""


def _answers_health(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/api/health")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def serve(url: str, folder: Path, port: int, app_spec: str = "wsgi:app", cwd: Path = ROOT) -> subprocess.Popen:
    """Start gunicorn and return once every worker has imported the app and /api/health
    answers 200, so that worker boot time (pandas, scipy, …) is not counted."""
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", PARINDEX_INSTANCE=str(folder),
               PARINDEX_ENV="production")
    ready = folder / "ready"
    ready.mkdir()
    hook = folder / "gunicorn_ready.py"
    hook.write_text(READY_HOOK.format(folder=str(ready)))
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(hook), "-w", str(WORKERS), "--threads", str(THREADS),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec], cwd=cwd, env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(ready.iterdir())) >= WORKERS and all(_answers_health(port) for _ in range(2 * WORKERS)):
            return process
        time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def client(port, path, work, deadline, results, lock):
    """Send one prepared body after another over a kept-alive connection until ``deadline``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < deadline:
        with lock:
            if not work:
                return
            token, body = work.pop()
        started = time.perf_counter()
        connection.request("POST", path, body=body,
                           headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        results.append((time.perf_counter() - started, response.status))


def interview(rng: random.Random, case_id: int, version_id: int, make_answers) -> dict:
    """One send as the offline collector makes it: answers, and paradata with the time on each
    question, the position with its accuracy, the device and the browser."""
    answers = make_answers(rng)
    started = 1_722_823_200 + rng.randint(0, 29) * 86_400 + rng.randint(0, 8 * 3600)  # August 2024, 9:00-17:00 ICT
    times = {key: round(rng.uniform(2, 20), 1) for key in answers}
    ended = started + int(sum(times.values()))
    stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    return {"instance_uuid": str(uuid.uuid4()), "case_id": case_id, "questionnaire_version_id": version_id,
            "answers": answers, "started_at": stamp(started), "submitted_at": stamp(ended), "language": "vi",
            "paradata": {"device_id": f"bench-{case_id % ENUMERATORS}", "started_at": stamp(started),
                         "ended_at": stamp(ended), "question_times": times, "changes": [],
                         "geolocation": {"lat": 20.54 + rng.uniform(-0.02, 0.02),
                                         "lon": 105.91 + rng.uniform(-0.02, 0.02),
                                         "accuracy_m": rng.randint(5, 40), "at": stamp(started)},
                         "user_agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120 Mobile"}}


def bodies(work, version_id, make_answers) -> list[tuple[str, bytes]]:
    """The interviews to send, built before the clock starts (the clients only send)."""
    rng = random.Random(2024)
    return [(token, json.dumps(interview(rng, case_id, version_id, make_answers)).encode())
            for token, case_id in work]


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu() -> dict[int, tuple[str, int, float]]:
    """Every process's (name, parent, CPU seconds so far), from ``/proc``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        found[int(entry.name)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
    return found


class CpuSplit:
    """CPU seconds used during the timed run by the clients (this process), gunicorn (the
    server and its workers) and PostgreSQL (every ``postgres`` process)."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.start = self._sample()

    def _sample(self) -> dict[str, dict[int, float]]:
        procs = _proc_cpu()
        return {"gunicorn": {pid: cpu for pid, (_, parent, cpu) in procs.items()
                             if pid == self.server_pid or parent == self.server_pid},
                "postgres": {pid: cpu for pid, (name, _, cpu) in procs.items() if name.startswith("postgres")},
                "clients": {0: time.process_time()}}

    def used(self) -> dict[str, float]:
        end = self._sample()
        return {part: sum(cpu - self.start[part].get(pid, 0.0) for pid, cpu in end[part].items())
                for part in end}


def drive(port: int, path: str, work: list, seconds: float, clients: int, server) -> tuple[list, float, dict]:
    """Run the clients against the server for ``seconds``; (results, elapsed, CPU split)."""
    results, lock = [], threading.Lock()
    split = CpuSplit(server.pid)
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, path, work, deadline, results, lock))
               for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return results, elapsed, split.used()


def count_rows(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return rows


def run(db_kind: str, form_kind: str, seconds: float, clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        form = SIPAS if form_kind == "sipas" else wide_form(folder / "bench_wide.md")
        make_answers = sipas_answers if form_kind == "sipas" else wide_answers
        url, drop = database(db_kind, folder)
        try:
            work, version_id = prepare(url, folder, form, cases=int(seconds * 1500))
            random.shuffle(work)
            work = bodies(work, version_id, make_answers)
            port = 20000 + random.randint(0, 9999)
            server = serve(url, folder, port)
            results, elapsed, cpu = drive(port, "/api/field/submissions", work, seconds, clients, server)
            server.terminate()
            server.wait(10)
            report(db_kind, form_kind, clients, results, elapsed, count_rows(url, "submission"), cpu)
        finally:
            drop()


def bare_document(rng: random.Random, n: int) -> bytes:
    """The issue's ceiling document: about 2 KB of JSON (a SIPAS interview's answers and a short
    paradata)."""
    sent = interview(rng, n, 1, sipas_answers)
    sent["paradata"] = {key: sent["paradata"][key] for key in ("device_id", "started_at", "ended_at", "geolocation")}
    return json.dumps(sent).encode()


def baseline(db_kind: str, seconds: float, clients: int) -> None:
    """The named ceiling: ``bench/bare_app.py`` storing the same SIPAS bodies."""
    from sqlalchemy import create_engine
    sys.path.insert(0, str(ROOT / "bench"))
    from bare_app import metadata  # noqa: E402  (reads DATABASE_URL only when imported by gunicorn)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, drop = database(db_kind, folder)
        try:
            engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            metadata.create_all(engine)
            engine.dispose()
            rng = random.Random(7)
            work = [("none", bare_document(rng, n)) for n in range(int(seconds * 3000))]
            port = 20000 + random.randint(0, 9999)
            server = serve(url, folder, port, "bare_app:app", ROOT / "bench")
            results, elapsed, cpu = drive(port, "/bare", work, seconds, clients, server)
            server.terminate()
            server.wait(10)
            report(db_kind, "bare", clients, results, elapsed, count_rows(url, "bare_document"), cpu)
        finally:
            drop()


def in_process(db_kind: str, form_kind: str, sends: int) -> None:
    """CPU milliseconds and SQL statements per send, without HTTP or concurrency."""
    from sqlalchemy import event

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        form = SIPAS if form_kind == "sipas" else wide_form(folder / "bench_wide.md")
        make_answers = sipas_answers if form_kind == "sipas" else wide_answers
        url, drop = database(db_kind, folder)
        try:
            work, version_id = prepare(url, folder, form, cases=sends + 20)
            from survey_app import Config, create_app
            from survey_app.extensions import db

            class ServeConfig(Config):
                ENV, SECRET_KEY, SQLALCHEMY_DATABASE_URI, INSTANCE = "production", "bench", url, folder

            app = create_app(ServeConfig)
            client_ = app.test_client()
            statements = [0]
            with app.app_context():
                event.listen(db.engine, "before_cursor_execute",
                             lambda *_: statements.__setitem__(0, statements[0] + 1))
            rng = random.Random(2024)
            bodies = [(token, json.dumps(interview(rng, case_id, version_id, make_answers)))
                      for token, case_id in work]

            def send(token, body):
                response = client_.post("/api/field/submissions", data=body, headers={
                    "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                assert response.status_code == 201, response.get_json()
            for token, body in bodies[:20]:
                send(token, body)
            statements[0] = 0
            cpu, wall = time.process_time(), time.perf_counter()
            for token, body in bodies[20:]:
                send(token, body)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            count = len(bodies) - 20
            print(f"{db_kind:<9} {form_kind:<6} in process: {cpu / count * 1000:6.2f} ms CPU/request  "
                  f"{wall / count * 1000:6.2f} ms wall  {statements[0] / count:5.1f} statements/request",
                  flush=True)
            with app.app_context():
                db.engine.dispose()
        finally:
            drop()


def report(db_kind, form_kind, clients, results, elapsed, stored, cpu) -> None:
    latencies = sorted(r[0] for r in results)
    acknowledged = sum(1 for _, status in results if status in (200, 201))
    refused = len(results) - acknowledged
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
    print(f"{db_kind:<9} {form_kind:<6} {clients:>3} clients {acknowledged / elapsed:6.0f}/s  p50 {p50:6.1f} ms  "
          f"p99 {p99:6.1f} ms  sent {len(results)}  refused {refused}  stored {stored}  "
          f"stored == acknowledged: {stored == acknowledged}", flush=True)
    per = 1000 / max(1, len(results))
    database = f"  postgres {cpu['postgres'] * per:.2f}" if db_kind == "postgres" else " (SQLite inside)"
    print(f"{'':<28} CPU ms per submission: clients {cpu['clients'] * per:.2f}  "
          f"gunicorn {cpu['gunicorn'] * per:.2f}{database}", flush=True)


def main() -> None:
    global WORKERS, THREADS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--form", choices=["sipas", "wide", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", default="24",
                        help="concurrent clients; a list such as 8,16,24 runs each in turn")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per worker (default 4)")
    parser.add_argument("--baseline", action="store_true",
                        help="measure the bare Flask + SQLAlchemy ceiling first, in the same run")
    parser.add_argument("--in-process", type=int, metavar="N",
                        help="N sends through the test client in this process: CPU and SQL per request")
    args = parser.parse_args()
    WORKERS, THREADS = args.workers, args.threads
    if args.in_process:
        for db_kind in (["postgres", "sqlite"] if args.db == "both" else [args.db]):
            for form_kind in (["sipas", "wide"] if args.form == "both" else [args.form]):
                in_process(db_kind, form_kind, args.in_process)
        return
    print(f"gunicorn -w {WORKERS} --threads {THREADS}, {args.seconds:g} s each")
    for db_kind in (["postgres", "sqlite"] if args.db == "both" else [args.db]):
        for clients in (int(n) for n in args.clients.split(",")):
            if args.baseline:
                baseline(db_kind, args.seconds, clients)
            for form_kind in (["sipas", "wide"] if args.form == "both" else [args.form]):
                run(db_kind, form_kind, args.seconds, clients)


if __name__ == "__main__":
    main()
