"""Reporting periods and progress reports as services: default dates, editing while open, closing,
who may report, evidence checks, late and missing flags, and the audit of each change."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from survey_app import filestore
from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.audit import AuditEntry
from survey_app.models.plans import ImprovementPlan, PeriodKind, PlanStatus, ProgressEvidence, TaskProgress
from survey_app.plans import periods, progress
from survey_app.refusals import Refused
from tests.plans.conftest import PDF


def _plan(code):
    return db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def test_default_periods_end_with_the_quarters_and_are_due_on_the_15th_after():
    spans = periods.default_spans(2025, {PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR})
    by_label = {s["label"]: s for s in spans}
    assert by_label["Quý I năm 2025"]["ends_on"] == date(2025, 3, 31)
    assert by_label["Quý I năm 2025"]["due_on"] == date(2025, 4, 15)
    assert by_label["Quý IV năm 2025"]["due_on"] == date(2026, 1, 15)
    assert by_label["6 tháng đầu năm 2025"]["due_on"] == date(2025, 7, 15)
    assert by_label["Năm 2025"]["starts_on"] == date(2025, 1, 1)
    assert [s["due_on"] for s in spans] == sorted(s["due_on"] for s in spans)
    assert periods.default_spans(2025, {PeriodKind.QUARTER}, due_day=5)[0]["due_on"] == date(2025, 4, 5)


def test_a_due_day_outside_the_month_is_refused(demo_app):
    with demo_app.test_request_context():
        with pytest.raises(Refused) as refused:
            periods.default_spans(2025, {PeriodKind.QUARTER}, due_day=31)
    assert refused.value.status == 422 and "từ 1 đến 28" in refused.value.message


def test_periods_are_edited_while_open_and_frozen_once_closed(demo_app, plan_code):
    with demo_app.test_request_context():
        plan = _plan(plan_code)
        first = plan.periods[0]
        periods.edit_period(first, "Quý I năm 2025", date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 10))
        assert first.due_on == date(2025, 4, 10)
        with pytest.raises(Refused) as bad:
            periods.edit_period(first, "Quý I năm 2025", date(2025, 4, 1), date(2025, 3, 31), date(2025, 4, 10))
        assert bad.value.status == 422 and "không thể kết thúc trước khi bắt đầu" in bad.value.message
        periods.close_period(first)
        assert first.closed_at is not None
        with pytest.raises(Refused) as closed:
            periods.edit_period(first, "Quý I", date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 20))
        assert closed.value.status == 409 and "đã khóa" in closed.value.message
        with pytest.raises(Refused):
            periods.close_period(first)
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "reporting_period",
                                                              AuditEntry.entity_id == first.id)).all()
        assert any((e.after or {}).get("due_on") == "2025-04-10" for e in entries)
        assert any((e.after or {}).get("closed_at") for e in entries)


def test_the_lead_units_editor_reports_with_evidence_and_nothing_changes_after_closing(demo_app, plan_code, today):
    today(date(2025, 4, 10))
    with demo_app.test_request_context():
        plan, editor = _plan(plan_code), _user("unit_editor")
        quarter = plan.periods[0]
        task = progress.task_for(plan, 1, editor)
        report = progress.submit(task, quarter, editor, TaskProgress.IN_PROGRESS, "Đã trình dự thảo kế hoạch.",
                                 [("ke-hoach.pdf", PDF)])
        assert report.evidence[0].sha256 and filestore.get(report.evidence[0].sha256) == PDF
        assert progress.flag(report, quarter) is None
        with pytest.raises(Refused) as wrong_type:
            progress.submit(task, quarter, editor, TaskProgress.DONE, "", [("virus.exe", b"MZ")])
        assert "Chỉ đính kèm được" in wrong_type.value.message
        db.session.rollback()
        periods.close_period(quarter)
        with pytest.raises(Refused) as closed:
            progress.submit(task, quarter, editor, TaskProgress.DONE, "Xong.")
        assert closed.value.status == 409
        db.session.rollback()
        assert progress.report_of(task, quarter).status is TaskProgress.IN_PROGRESS
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "progress_evidence",
                                                          AuditEntry.entity_id == report.evidence[0].id))
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "progress_report",
                                                          AuditEntry.entity_id == report.id))


def test_a_unit_editor_sees_and_reports_only_their_units_tasks(demo_app, plan_code):
    with demo_app.test_request_context():
        plan, editor = _plan(plan_code), _user("unit_editor")
        assert [t.number for t in progress.visible_tasks(editor, plan)] == [1, 2]
        assert len(progress.visible_tasks(_user("analyst"), plan)) == 4
        with pytest.raises(Refused) as other:
            progress.task_for(plan, 3, editor)
        assert other.value.status == 404
        with pytest.raises(Refused) as not_lead:
            progress.submit(plan.tasks[2], plan.periods[0], editor, TaskProgress.DONE, "")
        assert not_lead.value.status == 403


def test_draft_plans_are_hidden_from_units_and_take_no_report(demo_app, plan_code):
    with demo_app.test_request_context():
        plan, editor = _plan(plan_code), _user("unit_editor")
        plan.status = PlanStatus.DRAFT
        db.session.commit()
        with pytest.raises(Refused) as hidden:
            progress.plan_for(plan_code, editor)
        assert hidden.value.status == 404
        with pytest.raises(Refused) as draft:
            progress.submit(plan.tasks[0], plan.periods[0], editor, TaskProgress.DONE, "")
        assert draft.value.status == 409


def test_late_and_missing_follow_the_due_date(demo_app, plan_code, today):
    with demo_app.test_request_context():
        plan, editor = _plan(plan_code), _user("unit_editor")
        quarter = plan.periods[0]
        today(date(2025, 4, 15))
        assert progress.flag(None, quarter) is None               # due today: not missing yet
        today(date(2025, 4, 16))
        assert progress.flag(None, quarter) == progress.MISSING
        late = progress.submit(plan.tasks[1], quarter, editor, TaskProgress.AT_RISK, "Thiếu nhân lực.")
        assert progress.flag(late, quarter) == progress.LATE
        rows = {r.task.number: r.flag for r in progress.rows(plan.tasks, quarter)}
        assert rows == {1: "missing", 2: "late", 3: "missing", 4: "missing"}


def test_evidence_of_another_units_task_is_not_served(demo_app, plan_code, today):
    today(date(2025, 4, 1))
    with demo_app.test_request_context():
        plan, editor = _plan(plan_code), _user("unit_editor")
        report = progress.submit(plan.tasks[0], plan.periods[0], editor, TaskProgress.DONE, "", [("a.pdf", PDF)])
        found = progress.evidence_for(plan, report.evidence[0].id, editor)
        assert isinstance(found, ProgressEvidence)
        report.task = plan.tasks[2]   # now another unit's report
        db.session.flush()
        with pytest.raises(Refused):
            progress.evidence_for(plan, found.id, editor)
        db.session.rollback()


def test_lateness_is_judged_by_the_provinces_date_not_utc(demo_app, plan_code, today):
    """Due 15/04: sent at 23:00 on the 15th (16:00 UTC) is on time; at 06:00 on the 16th (still the
    15th in UTC) is late, on SQLite (naive UTC stored) as on PostgreSQL."""
    with demo_app.test_request_context():
        plan, editor = _plan(plan_code), _user("unit_editor")
        quarter = plan.periods[0]
        today(date(2025, 4, 15), hour=23)
        on_time = progress.submit(plan.tasks[0], quarter, editor, TaskProgress.DONE, "")
        today(date(2025, 4, 16), hour=6)
        late = progress.submit(plan.tasks[1], quarter, editor, TaskProgress.DONE, "")
        db.session.expire_all()
        assert progress.flag(on_time, quarter) is None
        assert progress.flag(late, quarter) == progress.LATE
