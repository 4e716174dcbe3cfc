"""Long exports report their progress while they run: the job page's bar moves before the end."""
from __future__ import annotations

import pytest

from survey_app.exports.jobs import perform
from survey_app.extensions import db


@pytest.mark.parametrize("kind", ["sav", "dta", "csv", "package"])
def test_an_export_job_reports_progress_as_it_goes(demo_app, kind):
    seen: list[float] = []
    with demo_app.app_context():
        name, _ = perform(demo_app, f"progress-{kind}", kind, {"campaign": "HNM-2024", "form": "sipas_citizen"},
                          seen.append)
        db.session.rollback()  # the demo's database keeps no file
    assert name.startswith(f"progress-{kind}")
    assert len(seen) >= 3, seen
    assert seen == sorted(seen) and 0 < seen[0] and seen[-1] <= 100
