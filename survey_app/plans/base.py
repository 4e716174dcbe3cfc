"""What every plan service shares: the one refusal, finding a plan, the rule that a closed plan
never changes, and the base publication's index read through the results read model."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import AdminUnit, ImprovementPlan, PlanStatus, PlanTask
from survey_app.refusals import Refused


class PlanRefused(Refused):
    """Bad input to a plan, or a change the plan's status does not allow; nothing was stored."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(status, (), message)


def plan_by_code(code: str) -> ImprovementPlan | None:
    return db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))


def plan_or_404(code: str) -> ImprovementPlan:
    found = plan_by_code(code)
    if found is None:
        abort(404)
    return found


def plans() -> list[ImprovementPlan]:
    return list(db.session.scalars(select(ImprovementPlan).order_by(ImprovementPlan.year.desc(),
                                                                     ImprovementPlan.code)))


def task_or_404(plan: ImprovementPlan, number: int) -> PlanTask:
    found = next((t for t in plan.tasks if t.number == number), None)
    if found is None:
        abort(404)
    return found


def editable(plan: ImprovementPlan) -> None:
    """Refuse any change to a closed plan (409: the plan's state, not the input, is the reason)."""
    if plan.status is PlanStatus.CLOSED:
        raise PlanRefused(_("The plan %(code)s is closed: nothing in it can change any more.", code=plan.code),
                          status=409)


def base_index(plan: ImprovementPlan):
    """The base publication's index exactly as it was frozen (the version the plan names)."""
    from survey_app.results.frozen import index_from
    publication = plan.base_publication
    return index_from(publication.document, publication.campaign, publication.run, publication)


def unit_named(code: str, year: int, label: str | None = None) -> AdminUnit:
    """The unit ``code`` valid in ``year`` (the base year: the plan's units are the base's)."""
    text = (code or "").strip()
    found = next((u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.code == text))
                  if u.valid_in(year)), None)
    if found is None:
        raise PlanRefused(_("No unit %(code)s valid in %(year)s.", code=text or "—", year=year))
    return found


def number(text, what: str, low: float | None = None, high: float | None = None) -> Decimal:
    """A number written the Vietnamese (``82,5``) or English (``82.5``) way, within bounds."""
    raw = str(text if text is not None else "").strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise PlanRefused(_("%(what)s must be a number, not “%(value)s”.", what=what, value=text or "")) from None
    if not value.is_finite() or (low is not None and value < Decimal(str(low))) or (
            high is not None and value > Decimal(str(high))):
        raise PlanRefused(_("%(what)s must be between %(low)s and %(high)s.", what=what,
                            low=low if low is not None else "−∞", high=high if high is not None else "∞"))
    return value


def whole(text, what: str, low: int, high: int) -> int:
    raw = str(text if text is not None else "").strip()
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise PlanRefused(_("%(what)s must be a whole number from %(low)s to %(high)s, not “%(value)s”.",
                            what=what, low=low, high=high, value=raw))
    return int(raw)


def plan_units(plan: ImprovementPlan) -> list[AdminUnit]:
    """The units a plan's targets and tasks may name: the province, then the base campaign's units."""
    units = [cu.unit for cu in plan.base_publication.campaign.units]
    return [plan.province] + sorted(units, key=lambda u: (u.level.rank, u.code))
