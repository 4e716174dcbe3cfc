"""The follow-up (*đánh giá kết quả thực hiện*): each target and each task's sub-criteria compared
with the next year's results.

The next year's campaign is the one of the plan's year whose previous campaign
(:func:`survey_app.index.history.previous_campaign`, through the province's lineage) is the base
campaign. Its publication is read when there is one; before that, its latest analysis is read as a
draft and the whole follow-up is marked **provisional**. A unit is followed into the unit it
became (:func:`survey_app.index.history.successor_codes`): the same code, a renamed unit, or the
commune a merger formed (whose other predecessors are named). A target is ``met``, ``not_met``, or
``unknown`` (no comparable figure yet); a provisional result that misses a target while survey
points are still pending is ``pending``, not a failure. Sub-criteria are compared by code, points
counted (penalties negative), the gain being ``now − before``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.index.history import predecessor_codes, previous_campaign, successor_codes
from survey_app.models import AdminUnit, Campaign, ImprovementPlan, TargetKind
from survey_app.plans.base import base_index
from survey_app.plans.national import result_in
from survey_app.plans.targets import NATIONAL_KINDS, survey_percent
from survey_app.results import official

PROVISIONAL_DRAWS = 200
MONOTONE = (TargetKind.INDEX_PERCENT, TargetKind.GRADE, TargetKind.FIELD_PERCENT)


@dataclass
class Followed:
    """Where a base unit is in the next year's results."""
    result: object | None          # the UnitIndex it became, or None
    mapping: str                   # same, renamed, merged, none
    partners: list[str] = field(default_factory=list)  # the other units merged with it


@dataclass
class TargetCheck:
    target: object
    followed: Followed
    actual: object = None
    status: str = "unknown"


@dataclass
class CriterionCheck:
    code: str
    unit: AdminUnit
    before: float | None
    now: float | None
    status: str = "unknown"

    @property
    def gained(self) -> float | None:
        return None if self.before is None or self.now is None else round(self.now - self.before, 4)


@dataclass
class TaskCheck:
    task: object
    criteria: list[CriterionCheck]

    @property
    def gained(self) -> float:
        return round(sum(c.gained for c in self.criteria if c.gained is not None), 4)

    @property
    def status(self) -> str:
        if not self.criteria or any(c.gained is None for c in self.criteria):
            return "unknown" if not any(c.status == "pending" for c in self.criteria) else "pending"
        expected = float(self.task.expected_points or 0)
        return "met" if self.gained >= expected - 1e-9 and self.gained > 0 else "not_met"


@dataclass
class FollowUp:
    campaign: Campaign
    provisional: bool
    targets: list[TargetCheck]
    tasks: list[TaskCheck]


def next_campaign(plan: ImprovementPlan) -> Campaign | None:
    """The campaign of the plan's year that follows the base campaign (published ones first)."""
    base = plan.base_publication.campaign
    found = [c for c in db.session.scalars(select(Campaign).where(Campaign.year == plan.year).order_by(Campaign.id))
             if (p := previous_campaign(c)) is not None and p.id == base.id]
    found.sort(key=lambda c: official.current_publication(c) is None)
    return found[0] if found else None


def follow(code: str, base_year: int, index) -> Followed:
    if code in index.by_code:
        return Followed(index.by_code[code], "same")
    codes = [c for c in successor_codes(code, base_year, index.campaign.year) if c in index.by_code]
    if not codes:
        return Followed(None, "none")
    partners = [c for c in predecessor_codes(codes[0], base_year, index.campaign.year) if c != code]
    return Followed(index.by_code[codes[0]], "merged" if partners else "renamed", partners)


def _leaf_points(result, code: str) -> tuple[float | None, bool]:
    """``(points counted, pending)`` of the sub-criterion ``code`` in a unit's result."""
    leaf = next((x for x in result.leaves if x.code == code), None) if result is not None else None
    if leaf is None:
        return None, False
    if leaf.source == "no_survey_result":
        return None, True
    return leaf.counted, False


def _unit_status(target, now, base, index) -> tuple[object, str | None]:
    """``(actual, met?)`` of a unit target against its unit's next result ``now``."""
    kind, value = target.kind, target.value
    if kind is TargetKind.INDEX_PERCENT:
        return now.percent, now.percent >= float(value) - 1e-9
    if kind is TargetKind.GRADE:
        classes = {str(c["code"]): c for c in (index.classes or base.classes)}
        spec = classes.get(value)
        return now.grade, None if spec is None else now.percent >= float(spec["min_percent"]) - 1e-9
    if kind is TargetKind.RANK:
        return now.rank, now.rank is not None and now.rank <= int(value)
    if kind is TargetKind.PLACES_GAINED:
        before = base.by_code.get(target.unit.code)
        if before is None or before.level != now.level or now.rank is None:
            return None, None
        return before.rank - now.rank, before.rank - now.rank >= int(value)
    if kind is TargetKind.FIELD_PERCENT:
        old = next((f for f in base.by_code[target.unit.code].fields if f[0] == target.subject), None)
        new = next((f for f in now.fields if f[0] == target.subject), None)
        if old is None or new is None or old[1] != new[1] or not new[2]:
            return None, None
        percent = 100.0 * now.field_points.get(new[0], 0.0) / new[2]
        return percent, percent >= float(value) - 1e-9
    found = survey_percent(index.run, now.code, target.subject)
    return found, None if found is None else found >= float(value) - 1e-9


def _national(target, plan: ImprovementPlan) -> TargetCheck:
    provinces = [db.session.get(AdminUnit, i) for i in
                 _successor_ids(plan.province, plan.base_publication.campaign.year, plan.year)] + [plan.province]
    row = result_in(provinces, target.national_index, plan.year)
    check = TargetCheck(target, Followed(None, "same"))
    if row is None:
        return check
    if target.kind is TargetKind.NATIONAL_SCORE and row.score is not None:
        check.actual, met = float(row.score), float(row.score) >= float(target.value) - 1e-9
    elif target.kind is TargetKind.NATIONAL_RANK and row.rank is not None:
        check.actual, met = row.rank, row.rank <= int(target.value)
    elif target.kind is TargetKind.NATIONAL_GROUP and row.group_name:
        check.actual, met = row.group_name, row.group_name.strip().lower() == target.value.strip().lower()
    else:
        return check
    check.status = "met" if met else "not_met"
    return check


def _successor_ids(unit: AdminUnit, since: int, until: int) -> list[int]:
    codes = successor_codes(unit.code, since, until)
    return [u.id for u in db.session.scalars(select(AdminUnit).where(AdminUnit.code.in_(codes)))
            if u.valid_in(until)]


def check_target(target, plan: ImprovementPlan, base, index, provisional: bool) -> TargetCheck:
    if target.kind in NATIONAL_KINDS:
        return _national(target, plan)
    followed = follow(target.unit.code, base.campaign.year, index)
    check = TargetCheck(target, followed)
    if followed.result is None:
        return check
    if target.kind is TargetKind.PLACES_GAINED and followed.mapping == "merged":
        return check  # a rank among other units: places gained mean nothing after a merger
    check.actual, met = _unit_status(target, followed.result, base, index)
    pending = provisional and followed.result.pending_survey_points > 0
    if met is None:
        check.status = "pending" if pending else "unknown"
    elif met and (not pending or target.kind in MONOTONE):
        check.status = "met"
    else:
        check.status = "pending" if pending else "not_met"
    return check


def check_task(task, base, index) -> TaskCheck:
    out = []
    for criterion in task.criteria:
        unit = criterion.unit or task.lead_unit
        before, _ = _leaf_points(base.by_code.get(unit.code), criterion.node.code)
        now, pending = _leaf_points(follow(unit.code, base.campaign.year, index).result, criterion.node.code)
        status = "pending" if pending else ("unknown" if before is None or now is None else
                                            "gained" if now > before else "lost" if now < before else "same")
        out.append(CriterionCheck(criterion.node.code, unit, before, now, status))
    return TaskCheck(task, out)


def follow_up(plan: ImprovementPlan) -> FollowUp | None:
    """The plan's follow-up against the next year's results, or None before any exist."""
    campaign = next_campaign(plan)
    if campaign is None:
        return None
    provisional = official.current_publication(campaign) is None
    index = official.campaign_index(campaign, draft=provisional, draws=PROVISIONAL_DRAWS)
    base = base_index(plan)
    return FollowUp(campaign, provisional,
                    [check_target(t, plan, base, index, provisional) for t in plan.targets],
                    [check_task(t, base, index) for t in plan.tasks])
