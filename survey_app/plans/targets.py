"""A plan's targets (*mục tiêu*): what the province and each unit aim at, with the baseline the
plan's text quotes ("năm 2024 đạt 69,75%, xếp thứ 9/15").

Unit targets are read against the base publication's index (the results read model, never
recomputed): an index percentage, a class or a rank are checked by the planner's own target rule
(:func:`survey_app.index.planner.target_total`), places gained against the base rank, a field's
percentage against the unit's fields, a survey indicator (% satisfied, overall or a SIPAS factor)
against the publication's stored estimates. National targets (PAR Index, SIPAS, PAPI, PCI) belong
to the province and take their baseline from the index's last entered year.
"""
from __future__ import annotations

from survey_app.extensions import db
from survey_app.formatting import points
from survey_app.i18n import _, lazy_gettext as _l
from survey_app.index import planner
from survey_app.index.views import target_message
from survey_app.models import ImprovementPlan, NationalIndex, PlanTarget, TargetKind
from survey_app.plans.base import PlanRefused, base_index, editable, number, unit_named, whole
from survey_app.plans.national import latest_result
from survey_app.results.runs import estimate
from survey_app.results.satisfaction import OVERALL, PCT

NATIONAL_KINDS = (TargetKind.NATIONAL_SCORE, TargetKind.NATIONAL_RANK, TargetKind.NATIONAL_GROUP)
PLANNER_KIND = {TargetKind.INDEX_PERCENT: "percent", TargetKind.GRADE: "grade", TargetKind.RANK: "rank"}
KIND_LABELS = {
    TargetKind.INDEX_PERCENT: _l("Index, percent of the maximum (at least)"),
    TargetKind.GRADE: _l("Class (at least)"),
    TargetKind.RANK: _l("Rank among units of the level (at most)"),
    TargetKind.PLACES_GAINED: _l("Places gained in the rank (at least)"),
    TargetKind.FIELD_PERCENT: _l("Field, percent of its maximum (at least)"),
    TargetKind.SURVEY_INDICATOR: _l("Survey: percent satisfied (at least)"),
    TargetKind.NATIONAL_SCORE: _l("National index score (at least)"),
    TargetKind.NATIONAL_RANK: _l("National index rank (at most)"),
    TargetKind.NATIONAL_GROUP: _l("National index group"),
}


def kind_of(text) -> TargetKind:
    try:
        return text if isinstance(text, TargetKind) else TargetKind((text or "").strip())
    except ValueError:
        raise PlanRefused(_("Choose a kind of target.")) from None


def national_of(text) -> NationalIndex | None:
    if text in (None, ""):
        return None
    try:
        return text if isinstance(text, NationalIndex) else NationalIndex(str(text).strip())
    except ValueError:
        raise PlanRefused(_("Choose one of the national indices.")) from None


def survey_percent(run, unit_code: str, variable: str) -> float | None:
    """The stored % satisfied (0-100) of ``run`` for a unit and a variable, or None."""
    found = estimate(run, unit_code, PCT, variable)
    return None if found is None else 100.0 * found.estimate


def _percent(value, what) -> str:
    return format(number(value, what, 0, 100).normalize(), "f")


def _unit_target(index, result, kind: TargetKind, subject: str, value: str) -> tuple[str, str, str]:
    """``(subject, value, baseline)`` of a unit target, checked against the base index."""
    if kind in PLANNER_KIND:
        try:
            planner.target_total(result, index.level(result.level), index.classes, PLANNER_KIND[kind], value)
        except planner.TargetError:
            raise PlanRefused(target_message(PLANNER_KIND[kind])) from None
        value = value.strip().replace(",", ".") if kind is not TargetKind.GRADE else value.strip()
        baseline = {TargetKind.INDEX_PERCENT: points(result.percent) + "%", TargetKind.GRADE: result.grade or "",
                    TargetKind.RANK: f"{result.rank}/{result.units_in_level}"}[kind]
        return "", value, baseline
    if kind is TargetKind.PLACES_GAINED:
        if (result.rank or 1) <= 1:
            raise PlanRefused(_("%(unit)s is already first of its level: no places to gain.", unit=result.name))
        gained = whole(value, _("The places gained"), 1, result.rank - 1)
        return "", str(gained), f"{result.rank}/{result.units_in_level}"
    if kind is TargetKind.FIELD_PERCENT:
        field = next((f for f in result.fields if f[0] == subject), None)
        if field is None:
            raise PlanRefused(_("Choose one of the fields: %(codes)s.", codes=", ".join(f[0] for f in result.fields)))
        code, _name, maximum = field
        base = 100.0 * result.field_points.get(code, 0.0) / maximum if maximum else 0.0
        return code, _percent(value, _("The field's percentage")), points(base) + "%"
    variable = subject or OVERALL
    base = survey_percent(index.run, result.code, variable)
    if base is None:
        raise PlanRefused(_("The base results hold no %% satisfied “%(variable)s” for %(unit)s.",
                            variable=variable, unit=result.name))
    return variable, _percent(value, _("The percentage satisfied")), points(base) + "%"


def _national_target(plan: ImprovementPlan, unit, kind: TargetKind, national: NationalIndex | None,
                     value: str) -> tuple[str, str, str | None]:
    if unit.id != plan.province_id:
        raise PlanRefused(_("National index targets are the province's."))
    if national is None:
        raise PlanRefused(_("Choose the national index the target is on."))
    if kind is TargetKind.NATIONAL_SCORE:
        value = _percent(value, _("The national score"))
    elif kind is TargetKind.NATIONAL_RANK:
        value = str(whole(value, _("The national rank"), 1, 100))
    else:
        value = (value or "").strip()
        if not value or len(value) > 64:
            raise PlanRefused(_("Write the group aimed at (at most 64 characters)."))
    last = latest_result(plan.province, national, before=plan.year + 1)
    if last is None:
        return "", value, None
    shown = {TargetKind.NATIONAL_SCORE: last.score is not None and points(float(last.score)),
             TargetKind.NATIONAL_RANK: last.rank is not None and str(last.rank),
             TargetKind.NATIONAL_GROUP: last.group_name}[kind]
    return "", value, f"{shown} ({last.year})" if shown else None


def add_target(plan: ImprovementPlan, unit_code: str, kind, value: str, subject: str = "",
               national_index=None, note: str = "") -> PlanTarget:
    """Check a target against the base results (or the national index) and store it."""
    editable(plan)
    kind, national = kind_of(kind), national_of(national_index)
    unit = unit_named(unit_code, plan.base_publication.campaign.year)
    value, subject = str(value or "").strip(), (subject or "").strip()
    if not value:
        raise PlanRefused(_("Enter the value to reach."))
    if kind in NATIONAL_KINDS:
        subject, value, baseline = _national_target(plan, unit, kind, national, value)
    else:
        index = base_index(plan)
        result = index.by_code.get(unit.code)
        if result is None:
            raise PlanRefused(_("%(unit)s has no result of its own in %(campaign)s: for the province, set a "
                                "national index target.", unit=unit.name, campaign=index.campaign.code))
        subject, value, baseline = _unit_target(index, result, kind, subject, value)
        national = None
    target = PlanTarget(plan=plan, unit=unit, kind=kind, subject=subject, value=value, national_index=national,
                        baseline=baseline, note=(note or "").strip())
    db.session.add(target)
    db.session.commit()
    return target


def delete_target(plan: ImprovementPlan, target_id: int) -> None:
    editable(plan)
    target = next((t for t in plan.targets if t.id == target_id), None)
    if target is None:
        raise PlanRefused(_("The plan has no such target."), status=404)
    db.session.delete(target)
    db.session.commit()
