"""``flask plan periods|close-period|report``: periods listed and added, a report with a file, and a
closed period refused with its Vietnamese message."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models.plans import ImprovementPlan, TaskProgress
from tests.plans.conftest import PDF


def test_periods_report_and_close_from_the_shell(demo_app, plan_code, today, tmp_path):
    today(date(2025, 4, 3))
    runner = demo_app.test_cli_runner()
    listed = runner.invoke(args=["plan", "periods", plan_code])
    assert listed.exit_code == 0 and "Quý I năm 2025\t01/01/2025 – 31/03/2025" in listed.output
    added = runner.invoke(args=["plan", "periods", plan_code, "--create", "half_year", "--due-day", "20"])
    assert added.exit_code == 0 and "Đã thêm 2 kỳ báo cáo." in added.output and "20/07/2025" in added.output
    evidence = tmp_path / "bien-ban.pdf"
    evidence.write_bytes(PDF)
    base = ["plan", "report", plan_code, "--period", "Quý I năm 2025", "--user", "unit_editor"]
    done = runner.invoke(args=base + ["--task", "1", "--status", "done", "--account", "Xong.", "--file", str(evidence)])
    assert done.exit_code == 0, done.output
    other = runner.invoke(args=base + ["--task", "3", "--status", "done"])
    assert other.exit_code == 1 and "không thuộc đơn vị của bạn" in other.output
    closed = runner.invoke(args=["plan", "close-period", plan_code, "Quý I năm 2025"])
    assert closed.exit_code == 0, closed.output
    again = runner.invoke(args=base + ["--task", "1", "--status", "at_risk"])
    assert again.exit_code == 1 and "Kỳ báo cáo Quý I năm 2025 đã khóa" in again.output
    with demo_app.app_context():
        plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == plan_code))
        report = plan.tasks[0].reports[0]
        assert report.status is TaskProgress.DONE and report.evidence[0].filename == "bien-ban.pdf"
    assert runner.invoke(args=["plan", "close-period", plan_code, "Quý IX"]).exit_code == 1
