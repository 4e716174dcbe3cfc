"""Background jobs on the Huey task queue: reports and exports that must never hold a request.

``huey`` is built from the environment: a ``RedisHuey`` when ``HUEY_REDIS_URL`` is set, else a
``SqliteHuey`` in the instance folder. Run the worker with
``huey_consumer survey_app.tasks.huey``. Under ``app.config["TESTING"]`` jobs run at once
(``immediate`` mode), inside the caller's app context.

A job's state (status, progress, result file, error, owner) is a small JSON file in
``instance/jobs/``, so the web process can show it whatever process runs the job.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from contextlib import nullcontext
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey

JOB_ID = re.compile(r"^[0-9a-f]{32}$")


def _make_huey():
    url = os.environ.get("HUEY_REDIS_URL")
    if url:
        return RedisHuey("parindex", url=url)
    from survey_app.config import instance_path
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("parindex", filename=str(folder / "huey.db"))


huey = _make_huey()


def job_folder(app: Flask) -> Path:
    folder = Path(app.config["INSTANCE"]) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_state(app: Flask, job_id: str) -> dict | None:
    """The job's state, or ``None`` for an unknown or malformed id."""
    if not JOB_ID.match(job_id or ""):
        return None
    path = job_folder(app) / f"{job_id}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def write_state(app: Flask, job_id: str, **changes) -> dict:
    """Merge ``changes`` into the job's state, written whole (:func:`survey_app.storage.write_whole`)."""
    from survey_app.storage import write_whole

    state = read_state(app, job_id) or {}
    state.update(changes)
    write_whole(job_folder(app) / f"{job_id}.json", json.dumps(state, ensure_ascii=False).encode("utf-8"),
                prefix=".state-")
    return state


def _app_context():
    """The caller's context in immediate mode, a fresh app's in a worker process."""
    if has_app_context():
        return nullcontext()
    from survey_app import create_app
    return create_app().app_context()


@huey.task()
def run_job(job_id: str, kind: str, params: dict) -> None:
    """Do the job ``kind`` with ``params``; record progress, the file written, or the error."""
    from survey_app.exports.jobs import perform
    with _app_context():
        app = current_app._get_current_object()
        write_state(app, job_id, status="running", progress=0)
        try:
            filename = perform(app, job_id, kind, params,
                               lambda done: write_state(app, job_id, progress=min(int(done), 99)))
        except Exception as exc:  # noqa: BLE001 - every failure is shown to the user, never lost
            from survey_app.extensions import db
            db.session.rollback()  # nothing half-done is committed later by the caller's session
            app.logger.exception("job %s failed", job_id)
            write_state(app, job_id, status="failed", error=str(exc)[:300])
            raise
        write_state(app, job_id, status="done", progress=100, filename=filename)


def start_job(kind: str, params: dict, user_id: int, title: str) -> str:
    """Record a queued job and enqueue it; returns its id."""
    app = current_app._get_current_object()
    job_id = uuid.uuid4().hex
    write_state(app, job_id, kind=kind, params=params, user_id=user_id, title=title,
                status="queued", progress=0)
    huey.immediate = bool(app.config.get("TESTING"))
    try:
        run_job(job_id, kind, params)
    except Exception:  # noqa: BLE001 - in immediate mode the failure is already in the state
        if not huey.immediate:
            raise
    return job_id
