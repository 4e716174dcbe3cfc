"""Year-over-year comparison through the unit mapping (*so sánh với năm trước*).

A result keeps the units and framework of its year (domain brief §2). To compare a unit with
last year's campaign of the same province (or of the province it was formed from: a 2025 campaign
of Ninh Bình compares with Hà Nam's 2024 campaign):

* the same unit code in last year's campaign is the same unit;
* otherwise :class:`UnitSuccession` rows whose successor is this unit, dated after last year's
  campaign and no later than this one, give its predecessors (a merger: several);
* the baseline is the unweighted mean of the predecessors' percentages (and field by field of
  their field percentages) — each predecessor is listed too, so nobody mistakes the mean for a
  result that existed. A rank change is given only for a single predecessor of the same level.

Fields are compared by code where the field's Vietnamese name is unchanged; as a percentage of
the field's maximum, since maxima may change between framework versions.
"""
from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, UnitSuccession


def _province_lineage(province_id: int) -> set[int]:
    """The province and every unit it was formed from (Hà Nam → Ninh Bình in 2025), transitively."""
    found, frontier = {province_id}, [province_id]
    while frontier:
        rows = db.session.scalars(select(UnitSuccession.predecessor_id).where(
            UnitSuccession.successor_id.in_(frontier)))
        frontier = [i for i in rows if i not in found]
        found.update(frontier)
    return found


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """Last year's (the latest earlier) campaign of the same province or of a province it was formed from."""
    return db.session.scalar(select(Campaign).where(
        Campaign.province_id.in_(_province_lineage(campaign.province_id)), Campaign.year < campaign.year)
        .order_by(Campaign.year.desc(), Campaign.id.desc()).limit(1))


def predecessor_codes(unit_code: str, since: int, until: int) -> list[str]:
    """Codes of units that became ``unit_code`` in the years ``since < year <= until``."""
    rows = db.session.scalars(
        select(UnitSuccession).join(AdminUnit, AdminUnit.id == UnitSuccession.successor_id)
        .where(AdminUnit.code == unit_code, UnitSuccession.year > since, UnitSuccession.year <= until))
    return sorted({row.predecessor.code for row in rows})


def _field_percents(result) -> dict[str, tuple[str, float]]:
    return {code: (name, 100.0 * result.field_points.get(code, 0.0) / maximum if maximum else 0.0)
            for code, name, maximum in result.fields}


def compare(current, previous_index, year_now: int) -> dict | None:
    """The comparison of ``current`` (a UnitIndex) with last year's index, or None."""
    if previous_index is None:
        return None
    prev_year = previous_index.campaign.year
    if current.code in previous_index.by_code:
        codes, mapping = [current.code], "same"
    else:
        codes, mapping = predecessor_codes(current.code, prev_year, year_now), "succession"
        codes = [c for c in codes if c in previous_index.by_code]
    if not codes:
        return {"campaign": previous_index.campaign, "mapping": "none", "predecessors": []}
    before = [previous_index.by_code[c] for c in codes]
    baseline = sum(b.percent for b in before) / len(before)
    now_fields = _field_percents(current)
    fields = []
    for code, (name, percent) in now_fields.items():
        old = [_field_percents(b).get(code) for b in before]
        if all(o is not None and o[0] == name for o in old):
            fields.append({"code": code, "name": name, "now": percent,
                           "before": sum(o[1] for o in old) / len(old)})
    single = len(before) == 1 and before[0].level == current.level
    return {"campaign": previous_index.campaign, "mapping": mapping, "predecessors": before,
            "percent_before": baseline, "percent_change": current.percent - baseline,
            "rank_before": before[0].rank if single else None,
            "rank_change": (before[0].rank - current.rank) if single else None, "fields": fields}


def successor_codes(unit_code: str, since: int, until: int) -> list[str]:
    """Codes of the units ``unit_code`` became (merged into, split into or renamed to) in the years
    ``since < year <= until``: :func:`predecessor_codes` read the other way, for a follow-up."""
    rows = db.session.scalars(
        select(UnitSuccession).join(AdminUnit, AdminUnit.id == UnitSuccession.predecessor_id)
        .where(AdminUnit.code == unit_code, UnitSuccession.year > since, UnitSuccession.year <= until))
    return sorted({row.successor.code for row in rows})
