"""Progress reports (*báo cáo tiến độ*): each lead unit reports, per period, on every task it leads
(a status, a short account, evidence files checked and stored as self-assessment evidence is).

Who sees what: the Department (administrators, analysts) sees every task; a unit editor sees and
reports only the tasks led by a unit in their scope (:meth:`User.can_reach`), and only on issued
plans. A report is *late* when submitted after its period's due date, *missing* when the due
date has passed without one (dates by :mod:`survey_app.clock`, so tests can set today).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from survey_app import clock, filestore
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import Role
from survey_app.models.plans import (ImprovementPlan, PlanStatus, PlanTask, ProgressEvidence, ProgressReport,
                                     ReportingPeriod, TaskProgress)
from survey_app.plans import periods
from survey_app.plans.base import plan_by_code
from survey_app.refusals import Refused
from survey_app.units import evidence

DEPARTMENT = (Role.ADMIN, Role.ANALYST)
ACCOUNT_MAX = 4000
LATE, MISSING = "late", "missing"


def progress_label(status) -> str:
    """The status of a task as the reports say it (*chưa bắt đầu, đang thực hiện…*)."""
    labels = {"not_started": _("Not started"), "in_progress": _("In progress"), "done": _("Done"),
              "at_risk": _("At risk of delay")}
    key = getattr(status, "value", status)
    return labels.get(key, _("Not reported")) if key else _("Not reported")


def flag_label(value: str | None) -> str:
    return {LATE: _("Late"), MISSING: _("Missing")}.get(value, "")


def is_department(user) -> bool:
    return user.has_role(*DEPARTMENT)


def existing_plan(code: str) -> ImprovementPlan:
    """The plan ``code`` (the shell's view: every plan); 404 when there is none."""
    plan = plan_by_code(code)
    if plan is None:
        raise Refused(404, message=_("This plan does not exist."))
    return plan


def plan_for(code: str, user) -> ImprovementPlan:
    """The plan ``code`` as ``user`` may read it: unit editors read issued (or closed) plans only."""
    plan = existing_plan(code)
    if not is_department(user) and plan.status is PlanStatus.DRAFT:
        raise Refused(404, message=_("This plan does not exist."))
    return plan


def plans_of(user) -> list[tuple[ImprovementPlan, list[PlanTask]]]:
    """``[(plan, the user's tasks)]``: every plan for the Department; for a unit editor the issued
    (or closed) plans giving their units a task."""
    department = is_department(user)
    shown = tuple(PlanStatus) if department else (PlanStatus.ISSUED, PlanStatus.CLOSED)
    plans = db.session.scalars(select(ImprovementPlan).where(ImprovementPlan.status.in_(shown))
                               .order_by(ImprovementPlan.year.desc(), ImprovementPlan.code)).all()
    mine = [(plan, visible_tasks(user, plan)) for plan in plans]
    return [(plan, tasks) for plan, tasks in mine if tasks or department]


def may_see(user, task: PlanTask) -> bool:
    return is_department(user) or user.can_reach(Role.UNIT_EDITOR, task.lead_unit)


def visible_tasks(user, plan: ImprovementPlan) -> list[PlanTask]:
    return [t for t in plan.tasks if may_see(user, t)]


def task_for(plan: ImprovementPlan, number: int, user) -> PlanTask:
    """The plan's task ``number``; 404 when it does not exist or is another unit's."""
    task = next((t for t in plan.tasks if t.number == number), None)
    if task is None or not may_see(user, task):
        raise Refused(404, message=_("This task does not exist or is not your unit's."))
    return task


def report_of(task: PlanTask, period: ReportingPeriod) -> ProgressReport | None:
    return next((r for r in task.reports if r.period_id == period.id), None)


def flag(report: ProgressReport | None, period: ReportingPeriod, today: date | None = None) -> str | None:
    """``late``, ``missing`` or ``None`` for a task's report in ``period``."""
    if report is None:
        return MISSING if (today or clock.today()) > period.due_on else None
    return LATE if periods.local_date(report.submitted_at) > period.due_on else None


@dataclass
class Row:
    """A task in one period: its report (if any) and its flag."""
    task: PlanTask
    period: ReportingPeriod
    report: ProgressReport | None
    flag: str | None

    @property
    def status(self) -> TaskProgress | None:
        return self.report.status if self.report else None


def rows(tasks, period: ReportingPeriod, today: date | None = None) -> list[Row]:
    today = today or clock.today()
    out = []
    for task in tasks:
        found = report_of(task, period)
        out.append(Row(task, period, found, flag(found, period, today)))
    return out


def parse_status(value: str) -> TaskProgress:
    try:
        return TaskProgress(value)
    except ValueError:
        raise Refused(422, message=_("Choose the task's status."))


def checked_files(files) -> list[tuple[str, str, bytes]]:
    """``[(name, content type, content)]`` of the uploads, each checked as evidence is."""
    out = []
    for name, content in files:
        name = evidence.clean_filename(name)
        out.append((name, evidence.check(name, content), content))
    return out


def submit(task: PlanTask, period: ReportingPeriod, user, status: TaskProgress, account: str,
           files=()) -> ProgressReport:
    """Store (or replace) the lead unit's report on ``task`` for ``period``, with its new files."""
    if task.plan.status is not PlanStatus.ISSUED:
        raise Refused(409, message=_("Progress is reported only on issued plans."))
    if period.plan_id != task.plan_id:
        raise Refused(404, message=_("The plan has no such reporting period."))
    periods.require_open(period)
    if not user.can_reach(Role.UNIT_EDITOR, task.lead_unit):
        raise Refused(403, message=_("Only the lead unit reports on this task."))
    account = (account or "").strip()
    if len(account) > ACCOUNT_MAX:
        raise Refused(422, message=_("The account is longer than %(count)s characters.", count=ACCOUNT_MAX))
    checked = checked_files(files)
    found = report_of(task, period)
    if found is None:
        found = ProgressReport(task=task, period=period)
        db.session.add(found)
    found.status, found.account = status, account
    found.submitted_at, found.submitted_by_id = periods.stamp(), user.id
    for name, content_type, content in checked:
        found.evidence.append(ProgressEvidence(filename=name, content_type=content_type, size=len(content),
                                               sha256=filestore.put(content), uploaded_by_id=user.id))
    db.session.commit()
    return found


def evidence_for(plan: ImprovementPlan, evidence_id: int, user) -> ProgressEvidence:
    """An evidence file of the plan that ``user`` may read; 404 otherwise."""
    found = db.session.get(ProgressEvidence, evidence_id)
    if found is None or found.report.task.plan_id != plan.id or not may_see(user, found.report.task):
        raise Refused(404, message=_("This file does not exist."))
    return found


def unit_overview(user, plan: ImprovementPlan, today: date | None = None) -> list[tuple]:
    """``[(period, [Row])]`` of the user's visible tasks, for every period of the plan."""
    tasks = visible_tasks(user, plan)
    return [(period, rows(tasks, period, today)) for period in plan.periods]


def json_row(row: Row) -> dict:
    report = row.report
    return {"task": row.task.number, "title": row.task.title, "lead_unit": row.task.lead_unit.code,
            "period": row.period.label, "due_on": row.period.due_on.isoformat(),
            "status": report.status.value if report else None, "account": report.account if report else None,
            "submitted_at": report.submitted_at.isoformat() if report else None, "flag": row.flag,
            "evidence": [{"id": e.id, "filename": e.filename, "sha256": e.sha256, "size": e.size}
                         for e in (report.evidence if report else [])]}
