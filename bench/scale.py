"""The platform at scale: N stored interviews, and the time and peak memory of each read of them
beside the analysis engine's own on the same data.

    .venv/bin/python bench/scale.py [--db postgres|sqlite] [--n 1000000] [--keep DIR] [--reuse]
                                    [--intake-seconds 10] [--no-intake]

It builds a database (a throwaway PostgreSQL database beside ``BENCH_DATABASE_URL``, as
``bench/ingest.py`` does, dropped at the end; or a SQLite file), loads the demo (its province,
units, population figures, framework, sample and published results) and adds interviews to the
demo campaign until it holds N citizen interviews. Each added interview gets a sampled case (in
one more sample list, spread over the demo's villages) and is written by the intake's bulk path
(:func:`survey_app.field.intake_store.store_many`): the same rows the offline collector's send
writes (submission, sync receipt, completed case, visit, audit entries, position), with answers
that went through the form engine's calculation and clean-up as on intake (a pool of 2,000
interviews of ``bench/ingest.py``'s generator, each row its own UUID, receipt and case).

Then each step runs in a fresh process that prints its time and its peak RSS (``VmHWM``: start-up
included, about 250 MB of imports): the analysis table, the whole ``flask analyse``, ``flask index
compute``, the analyst's index page (test client, signed in), an export of the submissions to CSV,
and the analysis engine alone (the same table read from a Parquet file, then weights, raking and
the satisfaction scores, no database). The ratio platform / engine is ``flask analyse`` over the
engine's time. Last, unless ``--no-intake``, the intake rate through gunicorn against the bare
Flask + SQLAlchemy ceiling, by ``bench/ingest.py``'s own functions.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CAMPAIGN, FORM, POOL, BATCH = "HNM-2024", "sipas_citizen", 2000, 10_000
STEPS = ("table", "analyse", "index", "page", "export", "engine")


def make_app(url: str, folder: Path):
    from survey_app import Config, create_app

    class ScaleConfig(Config):
        ENV, SECRET_KEY, SQLALCHEMY_DATABASE_URI, INSTANCE = "development", "bench", url, folder
        RATELIMIT_ENABLED = False
    return create_app(ScaleConfig)


def peak_rss_mb() -> float:
    """This process's peak resident set (``VmHWM``, not carried across ``execve`` as ``ru_maxrss`` is)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- building the campaign -------------------------------------------------------------------

def _pool(engine, version_id: int) -> list[dict]:
    """Interviews as the offline collector sends them, answers checked and cleaned as on intake."""
    from ingest import interview, sipas_answers

    from survey_app.field.conflicts import answers_digest
    rng, found = random.Random(2024), []
    for n in range(POOL):
        sent = interview(rng, n, version_id, sipas_answers)
        answers = engine.calculate(sent["answers"])
        problems = engine.problems(answers)
        if problems:
            raise SystemExit(f"the generated interview is refused: {problems[:3]}")
        found.append({"answers": engine.clean(answers), "paradata": sent["paradata"],
                      "digest": answers_digest(sent["answers"]),
                      "started_at": _moment(sent["started_at"]), "submitted_at": _moment(sent["submitted_at"])})
    return found


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _places(campaign_id: int):
    """The demo's sampled villages: (unit id, stratum, cluster, selection probability,
    enumerator id and name), one per demo case with an enumerator."""
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Assignment, SampleCase, SampleList, User
    return db.session.execute(
        select(SampleCase.unit_id, SampleCase.stratum, SampleCase.cluster, SampleCase.selection_probability,
               User.id, User.username).join(Assignment, Assignment.case_id == SampleCase.id)
        .join(User, User.id == Assignment.enumerator_id).join(SampleList)
        .where(SampleList.campaign_id == campaign_id, SampleCase.selection_probability.is_not(None))
        .order_by(SampleCase.id)).all()


#: On PostgreSQL, past this many interviews written by the intake's bulk path the rest are copies
#: of them made by the server (``--through-intake``): the Python side of the bulk path writes a
#: few hundred interviews a second on a busy 2-core machine, the server copies tens of thousands.
THROUGH_INTAKE = 100_000

#: One statement copies a block of interviews written by the intake: each copy gets a new case
#: (completed), assignment, UUID, receipt, sync receipt, visit, position and audit entries, the
#: rows ``store_many`` writes, with the original's answers, paradata, device and times.
COPY_SQL = """
WITH src AS (
    SELECT s.*, c.sample_list_id, c.stratum, c.selection_probability, :offset + row_number() OVER (ORDER BY s.id) AS n
    FROM submission s JOIN sample_case c ON c.id = s.case_id
    WHERE s.id >= :low AND s.id < :high AND s.campaign_id = :campaign AND c.sample_list_id = :sample),
cases AS (
    INSERT INTO sample_case (sample_list_id, unit_id, label, stratum, cluster, selection_probability, status)
    SELECT sample_list_id, unit_id, 'Hộ ' || n, stratum, (SELECT cluster FROM sample_case WHERE id = src.case_id),
           selection_probability, 'completed' FROM src RETURNING id, label),
pairs AS (SELECT src.*, cases.id AS new_case FROM src JOIN cases ON cases.label = 'Hộ ' || src.n),
assigned AS (INSERT INTO assignment (case_id, enumerator_id, assigned_at)
             SELECT new_case, enumerator_id, now() FROM pairs),
subs AS (
    INSERT INTO submission (instance_uuid, questionnaire_id, questionnaire_version_id, campaign_id, unit_id, channel,
                            enumerator_id, invitation_id, case_id, respondent_line, answers, paradata, started_at,
                            submitted_at, received_at, review_state, receipt)
    SELECT gen_random_uuid()::text, questionnaire_id, questionnaire_version_id, campaign_id, unit_id, channel,
           enumerator_id, NULL, new_case, 1, answers, paradata, started_at, submitted_at, now(), 'received',
           'F' || upper(substr(md5(random()::text || n::text), 1, 12))
    FROM pairs RETURNING id, case_id, instance_uuid, enumerator_id, received_at),
joined AS (SELECT subs.*, pairs.id AS old_id, pairs.case_id AS old_case FROM subs JOIN pairs ON pairs.new_case = subs.case_id),
receipts AS (INSERT INTO sync_receipt (client_uuid, submission_id, device_token_id, received_at, answers_digest)
             SELECT j.instance_uuid, j.id, r.device_token_id, j.received_at, r.answers_digest
             FROM joined j JOIN sync_receipt r ON r.submission_id = j.old_id),
visits AS (INSERT INTO visit_attempt (case_id, enumerator_id, at, outcome, attempt_number)
           SELECT j.case_id, j.enumerator_id, v.at, v.outcome, 1 FROM joined j JOIN visit_attempt v ON v.case_id = j.old_case),
places AS (INSERT INTO submission_place (submission_id, campaign_id, enumerator_id, cluster, lat, lon, accuracy_m)
           SELECT j.id, p.campaign_id, p.enumerator_id, p.cluster, p.lat, p.lon, p.accuracy_m
           FROM joined j JOIN submission_place p ON p.submission_id = j.old_id),
audit AS (INSERT INTO audit_entry (at, user_id, actor, action, entity, entity_id, before, after)
          SELECT j.received_at, j.enumerator_id, u.username, x.action, x.entity, x.entity_id, x.before, x.after
          FROM joined j JOIN user_account u ON u.id = j.enumerator_id,
          LATERAL (VALUES ('update', 'sample_case', j.case_id, '{"status": "pending"}'::jsonb, '{"status": "completed"}'::jsonb),
                          ('insert', 'submission', j.id, NULL::jsonb, '{"review_state": "received"}'::jsonb))
                  AS x(action, entity, entity_id, before, after))
SELECT count(*) FROM subs
"""


def copy_on_server(campaign_id: int, sample_id: int, have: int, todo: int, started: float) -> None:
    """Copies of the interviews the intake wrote, by the server, until ``todo`` more are stored."""
    from sqlalchemy import func, select, text

    from survey_app.extensions import db
    from survey_app.models import SampleCase, Submission
    low, high = db.session.execute(select(func.min(Submission.id), func.max(Submission.id) + 1)
                                   .join(SampleCase, SampleCase.id == Submission.case_id)
                                   .where(SampleCase.sample_list_id == sample_id)).one()
    offset = db.session.scalar(select(func.count()).select_from(SampleCase).where(SampleCase.sample_list_id == sample_id))
    copied, block, span = 0, 50_000, high - low
    while copied < todo:
        db.session.execute(text("SET LOCAL enable_nestloop = off"))  # the CTEs are estimated at 1 row
        start = low + copied % span
        end = min(high, start + block, start + todo - copied)
        copied += db.session.execute(text(COPY_SQL), {"offset": offset + copied, "low": start, "high": end,
                                                      "campaign": campaign_id, "sample": sample_id}).scalar_one()
        db.session.commit()
        if copied % 100_000 < block or copied >= todo:
            print(f"  {have + copied:,} interviews stored ({copied / (time.perf_counter() - started):,.0f}/s "
                  "copied by the server)", flush=True)


def build(url: str, folder: Path, n: int, through_intake: int = THROUGH_INTAKE) -> None:
    """Migrate, load the demo, then add interviews by the intake's bulk path up to ``n``
    (on PostgreSQL, past ``through_intake`` of them, copies made by the server)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from survey_app.demo import load_demo
    from survey_app.extensions import db
    from survey_app.field.tokens import issue
    from survey_app.models import (Assignment, Questionnaire, QuestionnaireVersion, SampleCase, SampleList,
                                   Submission, User)
    from survey_app.queries import campaign_by_code
    from survey_app.questionnaire.engine import FormEngine
    app = make_app(url, folder)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        if campaign_by_code(CAMPAIGN) is None:
            load_demo(seed=2024)
            print(f"demo loaded in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.info["skip_audit"] = True
        campaign = campaign_by_code(CAMPAIGN)
        questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == FORM))
        have = db.session.scalar(select(func.count()).select_from(Submission)
                                 .where(Submission.questionnaire_id == questionnaire.id,
                                        Submission.campaign_id == campaign.id))
        version = db.session.scalar(select(QuestionnaireVersion).join(Submission, Submission.questionnaire_version_id
                                                                      == QuestionnaireVersion.id).limit(1))
        pool = _pool(FormEngine(version.definition, "vi"), version.id)
        places = _places(campaign.id)
        devices = {}
        for user_id in sorted({p[4] for p in places}):
            devices[user_id] = issue(db.session.get(User, user_id), "scale")[0]
        sample = db.session.scalar(select(SampleList).where(SampleList.campaign_id == campaign.id,
                                                            SampleList.name == "scale"))
        if sample is None:
            sample = SampleList(campaign_id=campaign.id, name="scale", method="stratified_cluster")
            db.session.add(sample)
        db.session.commit()
        devices = {u: d.id for u, d in devices.items()}
        started, added, todo = time.perf_counter(), 0, max(0, n - have)
        if db.engine.dialect.name == "postgresql":
            written = db.session.scalar(select(func.count()).select_from(SampleCase)
                                        .where(SampleCase.sample_list_id == sample.id))
            todo = max(0, min(todo, through_intake - written))
        shrink = len(places) / max(n, 1)  # the sample is N households over the same villages
        while added < todo:
            size = min(BATCH, todo - added)
            chosen = [places[(added + i) % len(places)] for i in range(size)]
            case_ids = db.session.execute(insert(SampleCase).returning(SampleCase.id, sort_by_parameter_order=True), [
                {"sample_list_id": sample.id, "unit_id": p[0], "label": f"Hộ {added + i}", "stratum": p[1],
                 "cluster": p[2], "selection_probability": p[3] * shrink}
                for i, p in enumerate(chosen)]).scalars().all()
            db.session.execute(insert(Assignment), [{"case_id": c, "enumerator_id": p[4]}
                                                    for c, p in zip(case_ids, chosen)])
            _store_batch(db.session.connection(), campaign.id, questionnaire.id, version.id, pool, chosen,
                         case_ids, devices, added)
            db.session.commit()
            added += size
            if added % 100_000 < BATCH or added == todo:
                rate = added / (time.perf_counter() - started)
                print(f"  {have + added:,} interviews stored ({rate:,.0f}/s)", flush=True)
        have = db.session.scalar(select(func.count()).select_from(Submission).where(
            Submission.questionnaire_id == questionnaire.id, Submission.campaign_id == campaign.id))
        if have < n:
            copy_on_server(campaign.id, sample.id, have, n - have, time.perf_counter())
        if db.engine.dialect.name == "postgresql":
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")  # what autovacuum does after a bulk load


def _store_batch(connection, campaign_id, questionnaire_id, version_id, pool, chosen, case_ids, devices, offset):
    """One batch of new interviews, built as the intake builds one (field/intake.py)."""
    from survey_app.field.intake_store import NewInterview, store_many
    from survey_app.models import CaseStatus, Channel, ReviewState
    from survey_app.models.base import utcnow
    interviews = []
    for i, (p, case_id) in enumerate(zip(chosen, case_ids)):
        sent = pool[(offset + i) % POOL]
        now = utcnow()
        paradata = dict(sent["paradata"], duration_s=int((sent["submitted_at"] - sent["started_at"]).total_seconds()),
                        device_token_id=devices[p[4]])
        geo = paradata["geolocation"]
        submission = {
            "instance_uuid": str(uuid.uuid4()), "questionnaire_id": questionnaire_id,
            "questionnaire_version_id": version_id, "campaign_id": campaign_id, "unit_id": p[0],
            "channel": Channel.ENUMERATOR, "enumerator_id": p[4], "invitation_id": None, "case_id": case_id,
            "respondent_line": 1, "answers": sent["answers"], "paradata": paradata,
            "started_at": sent["started_at"], "submitted_at": sent["submitted_at"], "received_at": now,
            "review_state": ReviewState.RECEIVED, "receipt": f"F{uuid.uuid4().hex[:12].upper()}"}
        visit = {"case_id": case_id, "enumerator_id": p[4], "at": sent["submitted_at"], "outcome": CaseStatus.COMPLETED,
                 "note": None, "attempt_number": 1}
        place = {"campaign_id": campaign_id, "enumerator_id": p[4], "cluster": p[2], "lat": geo["lat"],
                 "lon": geo["lon"], "accuracy_m": geo["accuracy_m"]}
        interviews.append(NewInterview(submission, visit, devices[p[4]], CaseStatus.PENDING, (p[4], p[5]),
                                       {"review_state": ReviewState.RECEIVED.value}, place,
                                       answers_digest=sent["digest"]))
    store_many(connection, interviews)


# --- the measured steps (each in its own process) --------------------------------------------

def step(name: str, url: str, folder: Path) -> dict:
    """Run one step; its seconds (the work only, not the start-up), its CPU seconds (this
    process's threads and the PostgreSQL backends of this database: on a busy machine the wall
    time waits for a core, the CPU time does not) and peak RSS."""
    app = make_app(url, folder)
    database = url.rsplit("/", 1)[-1]
    started, cpu, server = time.perf_counter(), _own_cpu(), _server_cpu(database)
    detail = STEP_FUNCTIONS[name](app, folder)
    seconds = time.perf_counter() - started
    after = _server_cpu(database)
    server_seconds = sum(c - server.get(pid, 0.0) for pid, c in after.items())
    return {"seconds": seconds, "cpu": _own_cpu() - cpu + server_seconds, "peak_mb": peak_rss_mb(), "detail": detail}


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _server_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to ``database`` (from ``/proc``)."""
    from ingest import _proc_cpu
    found = {}
    for pid, (name, _, cpu) in _proc_cpu().items():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if name.startswith("postgres") and f" {database} " in command:
            found[pid] = cpu
    return found


def _table(app, folder):
    from survey_app.queries import campaign_by_code
    from survey_app.survey_analysis.run import scored_table, scoring_rule
    with app.app_context():
        campaign = campaign_by_code(CAMPAIGN)
        table = scored_table(campaign, scoring_rule(campaign))
        rows, columns = table.data.shape
    return f"{rows:,} rows kept, {columns} columns (the questions scored and the design)"


def _analyse(app, folder):
    result = app.test_cli_runner().invoke(args=["analyse", CAMPAIGN])
    if result.exit_code:
        raise SystemExit(result.output)
    return next((line.strip() for line in result.output.splitlines() if "respondents" in line), "")[:70]


def _index(app, folder):
    result = app.test_cli_runner().invoke(args=["index", "compute", CAMPAIGN])
    if result.exit_code:
        raise SystemExit(result.output)
    return result.output.splitlines()[0][:70]


def _page(app, folder):
    import re
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "analyst", "password": "demo-2024", "csrf_token": token})
    started = time.perf_counter()
    response = client.get(f"/analyst/campaigns/{CAMPAIGN}/index")
    if response.status_code != 200:
        raise SystemExit(f"index page: {response.status_code}")
    return f"{len(response.data) / 1000:.0f} kB in {time.perf_counter() - started:.1f} s (sign-in excluded)"


def _export(app, folder):
    from survey_app.exports import writers
    from survey_app.exports.submissions import ExportSpec
    from survey_app.queries import campaign_by_code
    target = folder / "export.csv"
    with app.app_context():
        writers.write_csv(ExportSpec(campaign_by_code(CAMPAIGN), FORM, "vi", labels=True), target)
    return f"{target.stat().st_size / 1e6:,.0f} MB"


def _engine(app, folder):
    """The analysis package alone on the table the platform built (read from Parquet, untimed):
    the weighting and raking, then % satisfied and mean scores by unit."""
    import pandas as pd

    from analysis import satisfaction_scores
    from survey_app.queries import campaign_by_code
    from survey_app.survey_analysis.run import scoring_rule
    from survey_app.survey_analysis.weights import raking_margins
    with app.app_context():
        campaign = campaign_by_code(CAMPAIGN)
        rule = scoring_rule(campaign)
        data = pd.read_parquet(folder / "table.parquet")
        frame, targets, _ = raking_margins(data, campaign)
    return _engine_alone(frame, targets, rule, satisfaction_scores)


def _engine_alone(frame, targets, rule, satisfaction_scores):
    from analysis import SurveyDesign, rake
    started, cpu = time.perf_counter(), _own_cpu()
    design = rake(SurveyDesign(frame, weights="base_weight", strata="stratum", clusters="psu"), targets)
    satisfaction_scores(design, {"factors": rule["factors"], "aggregation": rule["aggregation"]},
                        by="unit_code", missing_codes=rule["missing_codes"])
    return {"engine_seconds": time.perf_counter() - started, "engine_cpu": _own_cpu() - cpu}


STEP_FUNCTIONS = {"table": _table, "analyse": _analyse, "index": _index, "page": _page, "export": _export,
                  "engine": _engine}


def save_table(url: str, folder: Path) -> None:
    """The analysis table as Parquet, for the engine step (not timed)."""
    from survey_app.queries import campaign_by_code
    from survey_app.survey_analysis.run import scored_table, scoring_rule
    app = make_app(url, folder)
    with app.app_context():
        campaign = campaign_by_code(CAMPAIGN)
        scored_table(campaign, scoring_rule(campaign)).data.to_parquet(folder / "table.parquet")


def run_step(name: str, url: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", name, "--url", url, "--keep", str(folder)],
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"step {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(db_kind: str, n: int, results: dict) -> None:
    engine = results["engine"]
    engine_seconds = engine["detail"]["engine_seconds"]
    print(f"\n{db_kind}, {n:,} stored citizen interviews (peak RSS includes ~250 MB of start-up)")
    print(f"{'step':<22} {'seconds':>8} {'CPU s':>7} {'peak MB':>8}  detail")
    labels = {"table": "analysis table", "analyse": "flask analyse", "index": "flask index compute",
              "page": "index page (analyst)", "export": "export CSV"}
    for name, label in labels.items():
        r = results[name]
        print(f"{label:<22} {r['seconds']:8.1f} {r['cpu']:7.1f} {r['peak_mb']:8.0f}  {r['detail']}")
    print(f"{'engine alone':<22} {engine_seconds:8.1f} {engine['detail']['engine_cpu']:7.1f} {engine['peak_mb']:8.0f}  "
          f"weights, raking, scores by unit (table read from Parquet first)")
    engine_cpu = engine["detail"]["engine_cpu"]
    print(f"platform / engine: flask analyse {results['analyse']['seconds'] / engine_seconds:.1f}× in time, "
          f"{results['analyse']['cpu'] / engine_cpu:.1f}× in CPU; analysis table "
          f"{results['table']['seconds'] / engine_seconds:.1f}× in time, {results['table']['cpu'] / engine_cpu:.1f}× "
          "in CPU", flush=True)


def intake(db_kind: str, seconds: float, clients: int) -> None:
    """The intake rate through gunicorn against the bare ceiling, by bench/ingest.py."""
    import ingest
    print(f"\nintake, gunicorn -w {ingest.WORKERS} --threads {ingest.THREADS}, {clients} clients, {seconds:g} s:",
          flush=True)
    ingest.baseline(db_kind, seconds, clients)
    ingest.run(db_kind, "sipas", seconds, clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--n", type=int, default=None, help="stored citizen interviews (default 1,000,000 on "
                        "PostgreSQL, 100,000 on SQLite)")
    parser.add_argument("--keep", help="folder for the SQLite file, the export and the table (default: temporary)")
    parser.add_argument("--intake-seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--no-intake", action="store_true")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--reuse", metavar="URL", help="an existing database built by an earlier run (kept)")
    parser.add_argument("--steps", default=",".join(STEPS), help="the steps to measure (default: all)")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.url, Path(args.keep))))
        return
    from ingest import database
    n = args.n or (1_000_000 if args.db == "postgres" else 100_000)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="parindex-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    url, drop = (args.reuse, lambda: None) if args.reuse else database(args.db, folder)
    try:
        started = time.perf_counter()
        build(url, folder, n)
        print(f"campaign built in {time.perf_counter() - started:.0f} s", flush=True)
        if "engine" in args.steps:
            save_table(url, folder)
        results = {}
        for name in args.steps.split(","):
            results[name] = run_step(name, url, folder)
            print(f"  {name}: {results[name]['seconds']:.1f} s, CPU {results[name]['cpu']:.1f} s, "
                  f"{results[name]['peak_mb']:.0f} MB", flush=True)
        if set(results) == set(STEPS):
            report(args.db, n, results)
    finally:
        drop()
    if not args.no_intake:
        intake(args.db, args.intake_seconds, args.clients)


if __name__ == "__main__":
    main()
