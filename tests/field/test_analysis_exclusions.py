"""Quality flags feed the analysis: a flag left excluded keeps its interview out of the run as
``quality_flag_<kind>``, counted per rule by ``flask --app wsgi analyse``; a flag a supervisor
kept does not. The demo is shared, so the test removes its flags and its run afterwards."""
import re

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.models import AnalysisEstimate, AnalysisRun, QualityFlag, Submission
from survey_app.survey_analysis import exclusions


@pytest.fixture
def flagged(demo_app):
    """Five kept demo interviews given flags: 2 too fast and 1 duplicate excluded, 2 kept."""
    with demo_app.app_context():
        rows = db.session.scalars(select(Submission).options(selectinload(Submission.case))
                                  .order_by(Submission.id).limit(200))
        ids = [s.id for s in rows
               if exclusions.exclusion(exclusions.candidate(s), exclusions.Context()) is None][:5]
        kinds = [("too_fast", True), ("too_fast", True), ("duplicate", True), ("unusual_hour", False),
                 ("straight_lining", False)]
        db.session.add_all(QualityFlag(submission_id=i, rule=rule, reason="test", excluded=excluded)
                           for i, (rule, excluded) in zip(ids, kinds))
        before = db.session.scalar(select(AnalysisRun.id).order_by(AnalysisRun.id.desc()).limit(1))
        db.session.commit()
    yield ids
    with demo_app.app_context():
        db.session.execute(delete(QualityFlag).where(QualityFlag.submission_id.in_(ids)))
        runs = select(AnalysisRun.id).where(AnalysisRun.id > (before or 0))
        db.session.execute(delete(AnalysisEstimate).where(AnalysisEstimate.run_id.in_(runs)))
        db.session.execute(delete(AnalysisRun).where(AnalysisRun.id > (before or 0)))
        db.session.commit()


def _count(output: str, rule: str) -> int | None:
    match = re.search(rf"excluded, {rule}: (\d+)", output)
    return int(match.group(1)) if match else None


def test_analyse_reports_the_exclusions_per_quality_rule(demo_app, flagged):
    result = demo_app.test_cli_runner().invoke(args=["analyse", "HNM-2024"])
    assert result.exit_code == 0, result.output
    assert _count(result.output, "quality_flag_too_fast") == 2
    assert _count(result.output, "quality_flag_duplicate") == 1
    assert _count(result.output, "quality_flag_unusual_hour") is None
    assert _count(result.output, "quality_flag_straight_lining") is None
    with demo_app.app_context():
        run = db.session.scalar(select(AnalysisRun).order_by(AnalysisRun.id.desc()).limit(1))
        assert run.exclusions["quality_flag_too_fast"] == 2
