"""Reporting periods of a plan (*kỳ báo cáo*): made from the plan's year (quarters, half-years,
the year, as the plan chooses), each due on a day of the month after it ends (the 15th unless the
plan says otherwise); editable by the Department while open, frozen once closed.

:func:`add_default_periods` does not commit, so the plan's creation service can call it in its
own transaction; the other functions are services and commit.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timezone

from survey_app import clock
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models.plans import ImprovementPlan, PeriodKind, ReportingPeriod
from survey_app.plans.base import editable
from survey_app.refusals import Refused

DEFAULT_DUE_DAY = 15
ROMAN = ("I", "II", "III", "IV")


def stamp() -> datetime:
    """Now by the province's clock (:mod:`survey_app.clock`, so tests can set it), in UTC."""
    return clock.now().astimezone(timezone.utc)


def local_date(moment: datetime) -> date:
    """The province's date of a stored moment (SQLite gives back naive UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(clock.zone()).date()


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _due(ends_on: date, due_day: int) -> date:
    """Day ``due_day`` of the month after ``ends_on`` (the month's last day when shorter)."""
    year, month = (ends_on.year + 1, 1) if ends_on.month == 12 else (ends_on.year, ends_on.month + 1)
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def default_spans(year: int, kinds, due_day: int = DEFAULT_DUE_DAY) -> list[dict]:
    """The periods of ``year`` for ``kinds`` with their default dates, by due date.

    Labels are the documents' Vietnamese (*Quý I năm 2025*, *6 tháng đầu năm 2025*, *Năm 2025*):
    they are the plan's text, printed as written whatever the reader's language."""
    if not 1 <= int(due_day) <= 28:
        raise Refused(422, message=_("The due day must be between 1 and 28."))
    spans = []
    if PeriodKind.QUARTER in kinds:
        for q in range(4):
            spans.append((PeriodKind.QUARTER, f"Quý {ROMAN[q]} năm {year}", date(year, 3 * q + 1, 1),
                          _last_day(year, 3 * q + 3)))
    if PeriodKind.HALF_YEAR in kinds:
        spans.append((PeriodKind.HALF_YEAR, f"6 tháng đầu năm {year}", date(year, 1, 1), date(year, 6, 30)))
        spans.append((PeriodKind.HALF_YEAR, f"6 tháng cuối năm {year}", date(year, 7, 1), date(year, 12, 31)))
    if PeriodKind.YEAR in kinds:
        spans.append((PeriodKind.YEAR, f"Năm {year}", date(year, 1, 1), date(year, 12, 31)))
    out = [{"kind": k, "label": label, "starts_on": s, "ends_on": e, "due_on": _due(e, int(due_day))}
           for k, label, s, e in spans]
    return sorted(out, key=lambda p: (p["due_on"], p["ends_on"] - p["starts_on"]))


def parse_kinds(values) -> set[PeriodKind]:
    """Period kinds from their values (``quarter``, ``half_year``, ``year``); refused when unknown."""
    try:
        kinds = {PeriodKind(v.strip()) for v in values if v and v.strip()}
    except ValueError:
        raise Refused(422, message=_("Choose quarters, half-years or the year."))
    if not kinds:
        raise Refused(422, message=_("Choose quarters, half-years or the year."))
    return kinds


def add_default_periods(plan: ImprovementPlan, kinds, due_day: int = DEFAULT_DUE_DAY) -> list[ReportingPeriod]:
    """Add the plan's missing periods of ``kinds`` (no commit: the caller's transaction)."""
    have = {p.label for p in plan.periods}
    added = [ReportingPeriod(**span) for span in default_spans(plan.year, kinds, due_day)
             if span["label"] not in have]
    plan.periods.extend(added)
    return added


def create_periods(plan: ImprovementPlan, kinds, due_day: int = DEFAULT_DUE_DAY) -> list[ReportingPeriod]:
    editable(plan)
    added = add_default_periods(plan, kinds, due_day)
    if not added:
        raise Refused(409, message=_("The plan already has these reporting periods."))
    db.session.commit()
    return added


def require_open(period: ReportingPeriod) -> None:
    """Refuse any change in a closed period, or in any period of a closed plan."""
    editable(period.plan)
    if period.closed_at is not None:
        raise Refused(409, message=_("The period %(label)s is closed: nothing in it can be changed.",
                                     label=period.label))


def edit_period(period: ReportingPeriod, label: str, starts_on: date, ends_on: date, due_on: date) -> None:
    require_open(period)
    label = (label or "").strip()
    problems = []
    if not label or len(label) > 64:
        problems.append(_("Give the period a name of at most 64 characters."))
    elif any(p.label == label and p.id != period.id for p in period.plan.periods):
        problems.append(_("Another period of the plan has this name."))
    if starts_on > ends_on:
        problems.append(_("The period cannot end before it starts."))
    if due_on < starts_on:
        problems.append(_("Reports cannot be due before the period starts."))
    if problems:
        raise Refused(422, problems)
    period.label, period.starts_on, period.ends_on, period.due_on = label, starts_on, ends_on, due_on
    db.session.commit()


def close_period(period: ReportingPeriod) -> None:
    require_open(period)
    period.closed_at = stamp()
    db.session.commit()


def period_of(plan: ImprovementPlan, period_id: int | None = None, label: str | None = None) -> ReportingPeriod:
    """The plan's period by id or label; 404 when the plan has no such period."""
    for period in plan.periods:
        if (period_id is not None and period.id == period_id) or (label is not None and period.label == label):
            return period
    raise Refused(404, message=_("The plan has no such reporting period."))


def current_period(plan: ImprovementPlan, today: date | None = None) -> ReportingPeriod | None:
    """The period the Department looks at first: the last one already due, else the first."""
    today = today or clock.today()
    due = [p for p in plan.periods if p.due_on <= today]
    return due[-1] if due else (plan.periods[0] if plan.periods else None)
