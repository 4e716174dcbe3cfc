"""Background jobs on the Huey task queue: reports and exports that must never hold a request.

``huey`` is built from the environment: a ``RedisHuey`` when ``HUEY_REDIS_URL`` (or ``REDIS_URL``) is set, else a
``SqliteHuey`` in the instance folder. Run the worker with
``huey_consumer survey_app.tasks.huey``. Under ``app.config["TESTING"]`` jobs run at once
(``immediate`` mode), inside the caller's app context.

A job's state (status, progress, error, owner) is a row of the ``job`` table and its result a file
in the shared file store (:mod:`survey_app.filestore`), so every web process shows and serves a
job whatever process, on whatever machine, runs it. State changes are written on a connection of
their own (:func:`_update`), so progress shows while the job's work is not committed yet, and a
failure is recorded while that work is rolled back. Pages start and read jobs through
:mod:`survey_app.jobs`, which imports this module (and Huey) only when a job is started.
"""
from __future__ import annotations

import os
import threading
from contextlib import nullcontext

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey
from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import Job
from survey_app.models.base import utcnow


def _make_huey():
    url = os.environ.get("HUEY_REDIS_URL") or os.environ.get("REDIS_URL")
    if url:
        return RedisHuey("parindex", url=url)
    from survey_app.config import instance_path
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("parindex", filename=str(folder / "huey.db"))


huey = _make_huey()


def _update(job_id: str, **changes) -> None:
    """Write ``changes`` to the job's row at once, outside the caller's transaction."""
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id).values(**changes))


_worker_app, _worker_app_lock = None, threading.Lock()


def _app_context():
    """The caller's context in immediate mode, the worker process's one app otherwise."""
    global _worker_app
    if has_app_context():
        return nullcontext()
    with _worker_app_lock:  # the consumer's worker threads share one app and its connection pool
        if _worker_app is None:
            from survey_app import create_app
            _worker_app = create_app()
    return _worker_app.app_context()


@huey.task()
def run_job(job_id: str, kind: str, params: dict) -> None:
    """Do the job ``kind`` with ``params``; record progress, the file made, or the error."""
    from survey_app.exports.jobs import perform
    with _app_context():
        app = current_app._get_current_object()
        _update(job_id, status="running", progress=0)
        try:
            filename, sha256 = perform(app, job_id, kind, params,
                                       lambda done: _update(job_id, progress=min(int(done), 99)))
            db.session.commit()  # the result file (and a publication) are stored
        except Exception as exc:  # noqa: BLE001 - every failure is shown to the user, never lost
            db.session.rollback()  # nothing half-done is committed later by the caller's session
            app.logger.exception("job %s failed", job_id)
            _update(job_id, status="failed", error=str(exc)[:300], finished_at=utcnow())
            raise
        _update(job_id, status="done", progress=100, filename=filename, file_sha256=sha256,
                finished_at=utcnow())

