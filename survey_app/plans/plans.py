"""A plan's life (*vòng đời kế hoạch*): created by the Department of Home Affairs from a published
campaign's publication, drafted, issued (units see and accept their tasks), closed (frozen).

The header is what the administrative document carries: the issuing body, the number
(*số ký hiệu*), the date and signer, I. Mục đích, yêu cầu and III. Tổ chức thực hiện, prefilled
with the wording the provinces' plans use.
"""
from __future__ import annotations

import re
from datetime import date

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import CampaignStatus, ImprovementPlan, PlanStatus, Publication
from survey_app.models.base import utcnow
from survey_app.models.plans import PeriodKind
from survey_app.plans import periods
from survey_app.plans.base import PlanRefused, editable, plan_by_code
from survey_app.queries import campaign_by_code
from survey_app.results.official import current_publication

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
#: Codes the plans' own pages use in their addresses.
RESERVED = {"new", "national", "my-tasks"}
#: The reporting periods a new plan gets unless told otherwise (as the provinces' plans report).
DEFAULT_PERIODS = (PeriodKind.QUARTER, PeriodKind.YEAR)
HEADER = ("title", "issuing_body", "number", "issued_on", "signer", "purpose", "organisation")


def default_texts(province_name: str, year: int, base_year: int) -> dict[str, str]:
    """The wording a province's plan starts from (Vietnamese: the document's language)."""
    place = province_name[:1].lower() + province_name[1:]  # "tỉnh Hà Nam"
    return {
        "title": f"Kế hoạch cải thiện, nâng cao Chỉ số cải cách hành chính và Chỉ số hài lòng "
                 f"của người dân, tổ chức {place} năm {year}",
        "issuing_body": f"Ủy ban nhân dân {place}",
        "purpose": (
            f"1. Mục đích\n"
            f"- Khắc phục những tồn tại, hạn chế được chỉ ra qua kết quả Chỉ số CCHC và Chỉ số hài lòng "
            f"năm {base_year}; duy trì, phát huy các tiêu chí đạt điểm cao.\n"
            f"- Nâng cao kết quả Chỉ số CCHC của {place} và của các sở, ban, ngành, UBND cấp huyện, "
            f"cấp xã năm {year}.\n"
            f"2. Yêu cầu\n"
            f"- Các nhiệm vụ được giao cụ thể cho cơ quan chủ trì, cơ quan phối hợp, có thời hạn hoàn thành "
            f"và sản phẩm rõ ràng.\n"
            f"- Người đứng đầu cơ quan, đơn vị chịu trách nhiệm trước Chủ tịch UBND tỉnh về kết quả "
            f"thực hiện các nhiệm vụ được giao."),
        "organisation": (
            "1. Thủ trưởng các sở, ban, ngành, Chủ tịch UBND cấp huyện, cấp xã căn cứ nhiệm vụ được giao "
            "xây dựng kế hoạch chi tiết, tổ chức thực hiện và báo cáo kết quả định kỳ hằng quý, 6 tháng, "
            "năm về Sở Nội vụ.\n"
            "2. Sở Nội vụ theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch; tổng hợp, báo cáo "
            "UBND tỉnh.\n"
            "3. Kết quả thực hiện Kế hoạch là căn cứ đánh giá, xếp loại mức độ hoàn thành nhiệm vụ "
            "của cơ quan, đơn vị và người đứng đầu."),
    }


def base_publication(campaign_code: str) -> Publication:
    """The publication a plan starts from: the current version of a published campaign."""
    campaign = campaign_by_code((campaign_code or "").strip())
    if campaign is None:
        raise PlanRefused(_("No campaign %(code)s.", code=campaign_code or "—"))
    publication = current_publication(campaign)
    if publication is None or campaign.status is not CampaignStatus.PUBLISHED:
        raise PlanRefused(_("The results of %(code)s are not published: a plan starts from published results.",
                            code=campaign.code))
    return publication


def _date(value, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise PlanRefused(_("%(what)s must be a date (2025-04-15), not “%(value)s”.", what=what,
                            value=value)) from None


def _header(values: dict) -> dict:
    found = {k: (values.get(k) or "").strip() if k != "issued_on" else values.get(k) for k in HEADER
             if k in values}
    if "title" in found and not found["title"]:
        raise PlanRefused(_("Give the plan a title."))
    if len(found.get("title", "")) > 300 or len(found.get("issuing_body", "")) > 200:
        raise PlanRefused(_("The title or the issuing body is too long."))
    if "issued_on" in found:
        found["issued_on"] = _date(found["issued_on"], _("The date"))
    for key in ("number", "signer"):
        if key in found:
            found[key] = found[key] or None
    return found


def _due_day(value) -> int:
    """The day of the month reports are due after each period (1 to 28: every month has it)."""
    try:
        day = int(str(value).strip()) if value not in (None, "") else periods.DEFAULT_DUE_DAY
    except ValueError:
        day = 0
    if not 1 <= day <= 28:
        raise PlanRefused(_("The due day must be between 1 and 28."))
    return day


def create_plan(campaign_code: str, code: str, user=None, period_kinds=DEFAULT_PERIODS,
                due_day=periods.DEFAULT_DUE_DAY, **values) -> ImprovementPlan:
    """A draft plan on the campaign's current publication, with its reporting periods of
    ``period_kinds`` (values or :class:`PeriodKind`; quarters and the year unless chosen
    otherwise), due on ``due_day`` of the month after each; empty texts take the defaults."""
    kinds = periods.parse_kinds([getattr(k, "value", k) for k in period_kinds or ()])
    due_day = _due_day(due_day)
    publication = base_publication(campaign_code)
    code = (code or "").strip()
    if not CODE.match(code) or code.lower() in RESERVED:
        raise PlanRefused(_("The plan's code is 2 to 64 letters, digits, dots, dashes or underscores."))
    if plan_by_code(code) is not None:
        raise PlanRefused(_("The code %(code)s is already used by another plan.", code=code))
    campaign = publication.campaign
    year = int(values.pop("year", None) or campaign.year + 1)
    if not campaign.year < year <= campaign.year + 2:
        raise PlanRefused(_("The plan's year must follow the results' year %(year)s.", year=campaign.year))
    defaults = default_texts(campaign.province.name, year, campaign.year)
    header = _header(values)
    for key, text in defaults.items():
        header[key] = header.get(key) or text
    plan = ImprovementPlan(code=code, year=year, province=campaign.province, base_publication=publication,
                           created_by=user, **header)
    periods.add_default_periods(plan, kinds, due_day)
    db.session.add(plan)
    db.session.commit()
    return plan


def update_plan(plan: ImprovementPlan, **values) -> ImprovementPlan:
    editable(plan)
    for key, value in _header(values).items():
        setattr(plan, key, value)
    db.session.commit()
    return plan


def issue_plan(plan: ImprovementPlan) -> ImprovementPlan:
    """Draft → issued: the plan needs its number, date, signer and at least one task."""
    editable(plan)
    if plan.status is not PlanStatus.DRAFT:
        raise PlanRefused(_("Only a draft plan can be issued."), status=409)
    missing = [label for label, value in ((_("number"), plan.number), (_("date"), plan.issued_on),
                                          (_("signer"), plan.signer)) if not value]
    if missing:
        raise PlanRefused(_("Before issuing, enter the plan's %(missing)s.", missing=", ".join(missing)))
    if not plan.tasks:
        raise PlanRefused(_("Before issuing, give the plan at least one task."))
    plan.status = PlanStatus.ISSUED
    db.session.commit()
    return plan


def close_plan(plan: ImprovementPlan) -> ImprovementPlan:
    """Issued → closed: from now on nothing in the plan changes."""
    editable(plan)
    if plan.status is not PlanStatus.ISSUED:
        raise PlanRefused(_("Only an issued plan can be closed."), status=409)
    plan.status = PlanStatus.CLOSED
    db.session.commit()
    return plan


def accept_task(task, user) -> None:
    """The lead unit accepts its task of an issued plan (who may is checked by the caller)."""
    editable(task.plan)
    if task.plan.status is not PlanStatus.ISSUED:
        raise PlanRefused(_("Tasks are accepted once the plan is issued."), status=409)
    if task.accepted_at is None:
        task.accepted_at, task.accepted_by = utcnow(), user
        db.session.commit()


def tasks_for(user) -> list[tuple]:
    """``(task, leads)`` of the issued (or closed) plans' tasks a unit editor's units lead or
    cooperate on; ``leads`` when one of the user's units leads it. Draft plans are not shown."""
    from sqlalchemy import select

    from survey_app.models import PlanTask, Role
    rows = db.session.scalars(select(PlanTask).join(ImprovementPlan).where(
        ImprovementPlan.status.in_([PlanStatus.ISSUED, PlanStatus.CLOSED]))
        .order_by(ImprovementPlan.year.desc(), ImprovementPlan.code, PlanTask.number))
    found = []
    for task in rows:
        leads = user.can_reach(Role.UNIT_EDITOR, task.lead_unit)
        if leads or any(user.can_reach(Role.UNIT_EDITOR, p.unit) for p in task.partners):
            found.append((task, leads))
    return found
