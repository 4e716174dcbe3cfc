"""Plans are made in the shared demo and removed after each test, so the demo stays as loaded."""
import pytest
from sqlalchemy import delete, select

from survey_app.extensions import db
from survey_app.models import Campaign, ImprovementPlan, NationalIndexResult

ANALYST, UNIT_EDITOR = "analyst", "unit_editor"


@pytest.fixture
def demo_plans(demo_app):
    """The demo app; every plan and national result made in the test is deleted afterwards."""
    yield demo_app
    with demo_app.app_context():
        db.session.rollback()
        for plan in db.session.scalars(select(ImprovementPlan)):
            db.session.delete(plan)
        db.session.execute(delete(NationalIndexResult))
        db.session.commit()


@pytest.fixture(scope="module")
def analysed_2025(demo_app):
    """NBH-2025 with an analysis run (its draft results, not published): removed after the module."""
    from survey_app.survey_analysis.run import analyse
    with demo_app.app_context():
        run = analyse(db.session.scalar(select(Campaign).where(Campaign.code == "NBH-2025")))
        run_id = run.id
    yield demo_app
    with demo_app.app_context():
        from survey_app.models import AnalysisRun
        db.session.delete(db.session.get(AnalysisRun, run_id))
        db.session.commit()


def make_plan(code="KH-TEST-2025", **header):
    """A draft plan on HNM-2024 through the service (inside an app context)."""
    from survey_app.plans.plans import create_plan
    return create_plan("HNM-2024", code, **header)
