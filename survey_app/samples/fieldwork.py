"""Giving cases to enumerators (*phân công*) and replacing cases (*thay thế mẫu*).

The replacement rule is the campaign's, in ``Campaign.sampling_plan["replacement"]``::

    {"allowed_after": ["refused", "no_contact"], "max_attempts": 3}

``allowed_after``: the case statuses after which a case may be replaced; ``max_attempts``: the
visits a case must have had before it is replaced for any reason but a refusal (a refusal is
final at the first visit; a household not found may be found on the next one). A plan without
``replacement`` allows none. The replacement is the first unused reserve case of the same
stratum and, when the case has one, the same cluster; it goes to the same enumerator and the
replaced case records it in ``replaced_by_id``.
"""
from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.formatting import status_label
from survey_app.models import Assignment, Campaign, CaseStatus, Role, SampleCase, SampleList, User
from survey_app.samples.frame import SampleRefused

CLOSED = (CaseStatus.COMPLETED, CaseStatus.REPLACED)


def assign(cases: list[SampleCase], enumerator: User) -> int:
    """Give ``cases`` to ``enumerator``; all or none. Returns how many changed hands."""
    errors = []
    for case in cases:
        if case.status in CLOSED:
            errors.append(_("%(case)s is closed (%(status)s) and keeps its enumerator.",
                            case=case.label, status=status_label(case.status)))
        elif not enumerator.can_reach(Role.ENUMERATOR, case.unit):
            errors.append(_("%(case)s is in %(unit)s, outside the area of %(name)s.",
                            case=case.label, unit=case.unit.name, name=enumerator.full_name))
    if errors:
        raise SampleRefused(errors)
    changed = 0
    for case in cases:
        if case.assignment is None:
            case.assignment = Assignment(enumerator_id=enumerator.id)
            changed += 1
        elif case.assignment.enumerator_id != enumerator.id:
            case.assignment.enumerator_id = enumerator.id
            changed += 1
    db.session.flush()
    return changed


def replacement_rule(plan: dict | None) -> dict | None:
    rule = (plan or {}).get("replacement")
    return rule if isinstance(rule, dict) else None


def _rule_errors(case: SampleCase, rule: dict | None) -> list[str]:
    if rule is None:
        return [_("The campaign's sampling plan allows no replacement.")]
    if case.status is CaseStatus.REPLACED:
        return [_("This case is already replaced.")]
    allowed = [str(s) for s in rule.get("allowed_after", [])]
    if case.status.value not in allowed:
        return [_("The campaign allows a replacement only after: %(allowed)s; this case is %(status)s.",
                  allowed=", ".join(status_label(s) for s in allowed) or "—",
                  status=status_label(case.status))]
    needed = int(rule.get("max_attempts") or 0)
    if case.status is not CaseStatus.REFUSED and len(case.attempts) < needed:
        return [_("The campaign asks for %(max)d visits before a replacement; this case has had %(n)d.",
                  max=needed, n=len(case.attempts))]
    return []


def reserve_list(case: SampleCase) -> SampleList | None:
    """Where the case's replacements come from: its own list's reserve list."""
    sample = case.sample_list
    if sample.method == "reserve":
        return sample
    reserve_id = (sample.parameters or {}).get("reserve_list_id")
    return db.session.get(SampleList, reserve_id) if reserve_id else None


def _next_reserve(case: SampleCase, reserve: SampleList) -> SampleCase | None:
    used = select(SampleCase.replaced_by_id).where(SampleCase.replaced_by_id.is_not(None))
    query = (select(SampleCase).outerjoin(Assignment, Assignment.case_id == SampleCase.id)
             .where(SampleCase.sample_list_id == reserve.id, SampleCase.stratum == case.stratum,
                    SampleCase.status == CaseStatus.PENDING, Assignment.id.is_(None),
                    SampleCase.id != case.id, SampleCase.id.not_in(used))
             .order_by(SampleCase.id).limit(1))
    if case.cluster:
        query = query.where(SampleCase.cluster == case.cluster)
    return db.session.scalar(query)


def replace(case: SampleCase) -> SampleCase:
    """Replace ``case`` by a reserve case following the campaign's rule, or refuse with reasons."""
    campaign = db.session.get(Campaign, case.sample_list.campaign_id)
    errors = _rule_errors(case, replacement_rule(campaign.sampling_plan))
    if errors:
        raise SampleRefused(errors)
    reserve = reserve_list(case)
    found = _next_reserve(case, reserve) if reserve is not None else None
    if found is None:
        raise SampleRefused([_("No reserve case is left in stratum %(stratum)s, cluster %(cluster)s.",
                               stratum=case.stratum, cluster=case.cluster or "—")])
    case.status = CaseStatus.REPLACED
    case.replaced_by_id = found.id
    if case.assignment is not None:
        found.assignment = Assignment(enumerator_id=case.assignment.enumerator_id)
    db.session.flush()
    return found
