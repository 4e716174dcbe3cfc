"""Plans on a copy of the demo: an issued plan on the 2024 publication, made with the models (the
plan's own pages build it otherwise), with tasks led by two departments and a commune, quarterly
and yearly periods; removed again after each test with its audit entries, so the demo stays as
loaded. ``today`` sets the province's date (:mod:`survey_app.clock`)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from survey_app import clock
from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, FrameworkNode, NationalIndexResult, Publication
from survey_app.models.audit import AuditEntry
from survey_app.models.frameworks import NodeKind
from survey_app.models.plans import (ImprovementPlan, PeriodKind, PlanStatus, PlanTarget, PlanTask,
                                     PlanTaskCriterion, PlanTaskPartner, TargetKind)
from survey_app.plans import periods
from survey_app.queries import campaign_by_code

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EDITOR_UNIT, OTHER_DEPARTMENT, COMMUNE = "35.S02", "35.S09", "13295"  # Sở Tư pháp: the demo's unit editor
ANALYST, UNIT_EDITOR = "analyst", "unit_editor"


def _unit(code):
    return db.session.scalar(select(AdminUnit).where(AdminUnit.code == code))


def _sub_criterion(framework_id, level, field_code):
    """The first sub-criterion of a field of ``level``."""
    nodes = db.session.scalars(select(FrameworkNode).where(
        FrameworkNode.framework_id == framework_id, FrameworkNode.level == level,
        FrameworkNode.kind == NodeKind.SUB_CRITERION).order_by(FrameworkNode.id)).all()
    return next(n for n in nodes if n.code.split(".")[0] == field_code)


def make_issued_plan(code: str, status=PlanStatus.ISSUED) -> ImprovementPlan:
    """An issued 2025 plan on HNM-2024's publication: four tasks, quarters and the year."""
    campaign = campaign_by_code("HNM-2024")
    publication = db.session.scalar(select(Publication).where(Publication.campaign_id == campaign.id))
    province = _unit("35")
    plan = ImprovementPlan(
        code=code, title="Kế hoạch cải thiện Chỉ số CCHC năm 2025", year=2025, province=province,
        base_publication=publication, status=status, issuing_body="Ủy ban nhân dân tỉnh Hà Nam",
        number="125/KH-UBND", issued_on=date(2025, 2, 10), signer="Nguyễn Văn Chủ Tịch",
        purpose="Nâng cao Chỉ số CCHC của tỉnh năm 2025.\nPhân công rõ trách nhiệm của từng sở, ngành.",
        organisation="Sở Nội vụ theo dõi, đôn đốc và tổng hợp báo cáo.")
    plan.targets = [PlanTarget(unit=province, kind=TargetKind.INDEX_PERCENT, value="85", baseline="80,12"),
                    PlanTarget(unit=_unit(EDITOR_UNIT), kind=TargetKind.GRADE, value="A")]
    framework_id = campaign.framework_id
    specs = [(EDITOR_UNIT, "department", "1", "Ban hành kế hoạch CCHC đúng hạn", [OTHER_DEPARTMENT]),
             (EDITOR_UNIT, "department", "2", "Rà soát văn bản quy phạm pháp luật", []),
             (OTHER_DEPARTMENT, "department", "1", "Kiểm tra công tác CCHC", []),
             (COMMUNE, "commune", "2", "Niêm yết thủ tục hành chính", [])]
    for number, (lead, level, field, title, partners) in enumerate(specs, start=1):
        task = PlanTask(number=number, title=title, lead_unit=_unit(lead), deadline=date(2025, 9, 30),
                        expected_points=Decimal("0.5"))
        task.criteria = [PlanTaskCriterion(node=_sub_criterion(framework_id, level, field),
                                           points_at_stake=Decimal("0.5"))]
        task.partners = [PlanTaskPartner(unit=_unit(p)) for p in partners]
        plan.tasks.append(task)
    periods.add_default_periods(plan, {PeriodKind.QUARTER, PeriodKind.YEAR})
    db.session.add(plan)
    db.session.commit()
    return plan


def remove_plan(code: str) -> None:
    """Delete the plan and the audit entries of its rows (and only those)."""
    db.session.remove()
    plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))
    if plan is None:
        return
    reports = [r for t in plan.tasks for r in t.reports]
    rows = {"improvement_plan": [plan.id], "plan_target": [t.id for t in plan.targets],
            "plan_task": [t.id for t in plan.tasks], "reporting_period": [p.id for p in plan.periods],
            "progress_report": [r.id for r in reports],
            "progress_evidence": [e.id for r in reports for e in r.evidence]}
    db.session.info["skip_audit"] = True
    db.session.delete(plan)
    for entity, ids in rows.items():
        if ids:
            db.session.execute(delete(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids)))
    db.session.commit()
    db.session.info.pop("skip_audit", None)


@pytest.fixture(scope="session")
def demo_app(demo_copy):
    """The plans' tests work on their own copy of the demo (they add plans, reports and files)."""
    app = demo_copy("plans")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def plan_code(demo_app):
    """The code of a fresh issued plan on the shared demo (removed after the test)."""
    code = "KH-" + uuid.uuid4().hex[:8]
    with demo_app.app_context():
        make_issued_plan(code)
    yield code
    with demo_app.app_context():
        remove_plan(code)


@pytest.fixture
def today(monkeypatch):
    """``today(date, hour=9)`` sets the province's date and time seen by :mod:`survey_app.clock`."""
    def set_today(day: date, hour: int = 9):
        moment = datetime.combine(day, time(hour, 0))
        monkeypatch.setattr(clock, "now", lambda: moment.replace(tzinfo=clock.zone()))
    return set_today


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
