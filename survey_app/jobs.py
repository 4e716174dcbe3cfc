"""A background job as the pages see it: started (its row recorded, then queued) and read back.

The queue itself (Huey, with its Redis or SQLite storage) is :mod:`survey_app.tasks`, imported
when a job is started: the application's start, and the pages that only show a job, do without it.
"""
from __future__ import annotations

import re
import uuid

from flask import current_app

from survey_app.extensions import db
from survey_app.models import Job

JOB_ID = re.compile(r"^[0-9a-f]{32}$")


def read_job(job_id: str) -> Job | None:
    """The job, or ``None`` for an unknown or malformed id."""
    if not JOB_ID.match(job_id or ""):
        return None
    return db.session.get(Job, job_id, populate_existing=True)


def start_job(kind: str, params: dict, user_id: int, title: str) -> str:
    """Record a queued job (committed, so a worker anywhere finds it) and enqueue it; its id."""
    from survey_app.tasks import huey, run_job

    app = current_app._get_current_object()
    job_id = uuid.uuid4().hex
    db.session.add(Job(id=job_id, kind=kind, params=params, user_id=user_id, title=title[:300],
                       status="queued", progress=0))
    db.session.commit()
    huey.immediate = bool(app.config.get("TESTING"))
    try:
        run_job(job_id, kind, params)
    except Exception:  # noqa: BLE001 - in immediate mode the failure is already in the state
        if not huey.immediate:
            raise
    return job_id
