"""The Department's dashboard of a period: per lead unit and per field (the framework's top-level
field of each task's sub-criteria) how many tasks are done, in progress, at risk, not started, not
reported, late and missing; and the drill-down to the tasks behind a number.

A task serving sub-criteria of several fields counts once in each of them; a task naming no
sub-criterion counts under "no field".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from survey_app import clock
from survey_app.i18n import _
from survey_app.models.plans import ImprovementPlan, PlanTask, ReportingPeriod, TaskProgress
from survey_app.plans import progress
from survey_app.refusals import Refused

UNREPORTED = "unreported"
#: The dashboard's columns, in order: the four statuses, then the report's absence and flags.
COLUMNS = tuple(s.value for s in (TaskProgress.DONE, TaskProgress.IN_PROGRESS, TaskProgress.AT_RISK,
                                  TaskProgress.NOT_STARTED)) + (UNREPORTED, progress.LATE, progress.MISSING)
NO_FIELD = ""


def column_labels() -> dict[str, str]:
    return {"done": _("Done"), "in_progress": _("In progress"), "at_risk": _("At risk"),
            "not_started": _("Not started"), UNREPORTED: _("Not reported"), progress.LATE: _("Late"),
            progress.MISSING: _("Missing")}


def top_field(node):
    while node.parent is not None:
        node = node.parent
    return node


def task_fields(task: PlanTask, locale: str = "vi") -> list[tuple[str, str]]:
    """``[(code, name)]`` of the top-level fields the task's sub-criteria belong to."""
    found = {}
    for criterion in task.criteria:
        top = top_field(criterion.node)
        found.setdefault(top.code, top.name(locale))
    return sorted(found.items(), key=lambda kv: kv[0]) or [(NO_FIELD, _("No field"))]


def matches(row: progress.Row, what: str | None) -> bool:
    """Whether ``row`` counts in column ``what`` (any row when ``what`` is empty)."""
    if not what:
        return True
    if what == UNREPORTED:
        return row.report is None
    if what in (progress.LATE, progress.MISSING):
        return row.flag == what
    return row.status is not None and row.status.value == what


@dataclass
class Tally:
    key: str
    label: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    total: int = 0

    def add(self, row: progress.Row) -> None:
        self.total += 1
        for column in COLUMNS:
            self.counts[column] += matches(row, column)


def _tally(groups: dict, key: str, label: str, row) -> None:
    groups.setdefault(key, Tally(key, label)).add(row)


def dashboard(plan: ImprovementPlan, period: ReportingPeriod, today: date | None = None,
              locale: str = "vi") -> dict:
    """``{"period", "today", "units": [Tally], "fields": [Tally], "all": Tally}`` of ``period``."""
    today = today or clock.today()
    units, fields, everything = {}, {}, Tally("", _("All tasks"))
    for row in progress.rows(plan.tasks, period, today):
        everything.add(row)
        _tally(units, row.task.lead_unit.code, row.task.lead_unit.name, row)
        for code, name in task_fields(row.task, locale):
            _tally(fields, code, f"{code}. {name}" if code else name, row)
    return {"period": period, "today": today, "units": sorted(units.values(), key=lambda t: t.label),
            "fields": [fields[k] for k in sorted(fields)], "all": everything}


def drill(plan: ImprovementPlan, period: ReportingPeriod, unit: str | None = None, field_code: str | None = None,
          what: str | None = None, today: date | None = None) -> list[progress.Row]:
    """The tasks behind one number of the dashboard: of lead unit ``unit``, of field ``field_code``,
    in column ``what`` (each optional)."""
    if what and what not in COLUMNS:
        raise Refused(400, message=_("Unknown column of the dashboard."))
    out = []
    for row in progress.rows(plan.tasks, period, today):
        if unit and row.task.lead_unit.code != unit:
            continue
        if field_code is not None and field_code not in {c for c, _n in task_fields(row.task)}:
            continue
        if matches(row, what):
            out.append(row)
    return out


def json_dashboard(found: dict) -> dict:
    def tally(t: Tally) -> dict:
        return {"key": t.key, "label": t.label, "total": t.total, **t.counts}
    return {"period": found["period"].label, "due_on": found["period"].due_on.isoformat(),
            "closed": found["period"].closed_at is not None, "today": found["today"].isoformat(),
            "units": [tally(t) for t in found["units"]], "fields": [tally(t) for t in found["fields"]],
            "all": tally(found["all"])}
