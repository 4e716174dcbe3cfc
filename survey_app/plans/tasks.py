"""A plan's tasks (*nhiệm vụ*): drafted from the planner, then edited by the Department.

Drafting takes the chosen units of the base publication (by default the lowest ranked of each
level), each unit's sub-criteria where the most points can be regained
(:func:`survey_app.index.planner.losses`, the results read model's losses), and groups them by
field into one task per unit and field, with the points at stake; the lead unit is the unit
itself unless the Department names one (a province plan's department responsible). Sub-criteria
already in a task of the plan for the same unit are not drafted again.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.index import planner
from survey_app.models import (FrameworkNode, ImprovementPlan, NationalIndex, PlanTask, PlanTaskCriterion,
                               PlanTaskPartner)
from survey_app.plans.base import PlanRefused, base_index, editable, number, unit_named, whole
from survey_app.plans.targets import national_of

MODES = ("lowest", "all", "chosen")


def _unit_in_plan(plan: ImprovementPlan, code: str):
    unit = unit_named(code, plan.base_publication.campaign.year)
    if not unit.is_within(plan.province):
        raise PlanRefused(_("%(unit)s is not a unit of %(province)s.", unit=unit.name, province=plan.province.name))
    return unit


def _node(plan: ImprovementPlan, level: str, code: str) -> FrameworkNode:
    found = db.session.scalar(select(FrameworkNode).where(
        FrameworkNode.framework_id == plan.base_publication.campaign.framework_id,
        FrameworkNode.level == level, FrameworkNode.code == code))
    if found is None:
        raise PlanRefused(_("No sub-criterion %(code)s for the level %(level)s in the base framework.",
                            code=code, level=level))
    return found


def chosen_units(index, mode: str, codes: list[str], per_level: int) -> list:
    """The base results of the units to draft for: the ``per_level`` lowest ranked, all, or ``codes``."""
    if mode not in MODES:
        raise PlanRefused(_("Choose which units to draft tasks for."))
    if mode == "all":
        return list(index.units)
    if mode == "lowest":
        return [u for level in index.levels
                for u in sorted(index.level(level), key=lambda r: (r.rank or 0, r.code))[-per_level:]]
    missing = [c for c in codes if c not in index.by_code]
    if missing or not codes:
        raise PlanRefused(_("Not units of the base results: %(codes)s.", codes=", ".join(missing) or "—"))
    return [index.by_code[c] for c in codes]


def _next_number(plan: ImprovementPlan) -> int:
    return max((t.number for t in plan.tasks), default=0) + 1


def _covered(plan: ImprovementPlan) -> set[tuple[int, int]]:
    return {(c.unit_id or t.lead_unit_id, c.node_id) for t in plan.tasks for c in t.criteria}


def draft_tasks(plan: ImprovementPlan, mode: str = "lowest", codes: list[str] | None = None, per_level: int = 3,
                per_unit: int = 5, lead_code: str | None = None, deadline=None) -> list[PlanTask]:
    """Add draft tasks from the planner's losses; returns the tasks added (none when all covered)."""
    editable(plan)
    per_level = whole(per_level, _("Units per level"), 1, 100)
    per_unit = whole(per_unit, _("Sub-criteria per unit"), 1, 50)
    index = base_index(plan)
    lead = _unit_in_plan(plan, lead_code) if lead_code else None
    deadline = _deadline(plan, deadline) if deadline else date(plan.year, 9, 30)
    covered, made = _covered(plan), []
    for result in chosen_units(index, mode, [c.strip() for c in codes or [] if c.strip()], per_level):
        unit = _unit_in_plan(plan, result.code)
        found, _pending = planner.losses(result)
        fields = {code: name for code, name, _m in result.fields}
        groups: dict[str, list] = {}
        for loss in found[:per_unit]:
            node = _node(plan, result.level, loss.code)
            if (unit.id, node.id) not in covered:
                groups.setdefault(loss.field_code, []).append((loss, node))
        for field_code, items in groups.items():
            task = PlanTask(plan=plan, number=_next_number(plan), source="planner", deadline=deadline,
                            title=_("Regain the points lost in “%(field)s” at %(unit)s",
                                    field=fields.get(field_code, field_code), unit=unit.name),
                            description="\n".join(f"{loss.code} {loss.name}" for loss, _n in items),
                            lead_unit=lead or unit, expected_points=Decimal(str(round(sum(x.lost for x, _n in items), 3))),
                            national_index=(NationalIndex.SIPAS if all(x.method == "survey" for x, _n in items)
                                            else NationalIndex.PAR_INDEX),
                            national_component=fields.get(field_code))
            task.criteria = [PlanTaskCriterion(node=node, unit=unit, points_at_stake=Decimal(str(round(loss.lost, 3))))
                             for loss, node in items]
            db.session.add(task)
            db.session.flush()
            made.append(task)
    db.session.commit()
    return made


def _criteria(plan: ImprovementPlan, kept_rows: list[PlanTaskCriterion], text: str, lead) -> list[PlanTaskCriterion]:
    """The task's sub-criteria from their codes; kept ones keep their unit and points at stake."""
    codes = [c for c in (text or "").replace(",", " ").split() if c]
    kept = {c.node.code: c for c in kept_rows}
    result = None if all(c in kept for c in codes) else base_index(plan).by_code.get(lead.code)
    out = []
    for code in dict.fromkeys(codes):
        if code in kept:
            out.append(kept[code])
            continue
        if result is None:
            raise PlanRefused(_("%(unit)s has no result in the base publication: its task's sub-criteria cannot "
                                "be named.", unit=lead.name))
        node = _node(plan, result.level, code)
        lost = next((x.lost for x in planner.losses(result)[0] if x.code == code), 0.0)
        out.append(PlanTaskCriterion(node=node, unit=lead, points_at_stake=Decimal(str(round(lost, 3)))))
    return out


def _deadline(plan: ImprovementPlan, value) -> date:
    try:
        found = value if isinstance(value, date) else date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise PlanRefused(_("The deadline must be a date (2025-09-30), not “%(value)s”.", value=value or "")) from None
    if found.year != plan.year:
        raise PlanRefused(_("The deadline must fall in the plan's year %(year)s.", year=plan.year))
    return found


def save_task(plan: ImprovementPlan, task: PlanTask | None, values: dict) -> PlanTask:
    """Add (``task`` None) or change a task from the Department's form or the command; every value
    is checked before anything changes."""
    editable(plan)
    title = (values.get("title") or "").strip()
    if not title or len(title) > 500:
        raise PlanRefused(_("Write what is to be done (at most 500 characters)."))
    lead = _unit_in_plan(plan, values.get("lead_unit") or "")
    partners = [_unit_in_plan(plan, c) for c in dict.fromkeys((values.get("partners") or "").replace(",", " ").split())]
    expected = values.get("expected_points")
    checked = {"title": title, "description": (values.get("description") or "").strip(), "lead_unit": lead,
               "deadline": _deadline(plan, values.get("deadline")),
               "expected_points": None if str(expected or "").strip() == "" else number(
                   expected, _("The expected points"), 0, 100),
               "national_index": national_of(values.get("national_index")),
               "national_component": (values.get("national_component") or "").strip()[:200] or None}
    criteria = _criteria(plan, task.criteria if task else [], values.get("criteria") or "", lead)
    if task is None:
        task = PlanTask(plan=plan, number=_next_number(plan), source="manual")
        db.session.add(task)
    elif task.lead_unit_id != lead.id:
        task.accepted_at, task.accepted_by = None, None  # a new lead accepts again
    for key, value in checked.items():
        setattr(task, key, value)
    task.criteria = criteria
    old = {p.unit_id: p for p in task.partners}
    task.partners = [old.get(u.id) or PlanTaskPartner(unit=u) for u in partners if u.id != lead.id]
    db.session.commit()
    return task


def delete_task(plan: ImprovementPlan, task: PlanTask) -> None:
    editable(plan)
    if task.reports:
        raise PlanRefused(_("Task %(number)s has progress reports and is kept.", number=task.number), status=409)
    plan.tasks.remove(task)
    db.session.delete(task)
    db.session.commit()
