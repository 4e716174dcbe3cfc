"""A unit's points (*điểm*) per field (*lĩnh vực*) and in total: the one rule every page uses.

* Each sub-criterion counts within its own cap: ``clip(points, 0, max_points)``.
* A ``penalty`` sub-criterion is **subtracted** (its ``max_points`` caps the deduction), a
  ``bonus`` added; both count in the field they belong to, so a field's points are
  ``Σ regular + Σ bonus − Σ penalty`` of its sub-criteria.
* The unit's total is ``clip(Σ fields, 0, level maximum)`` (the no-survey rescaling aside:
  :func:`survey_app.index.compute.compute_unit`).

The self-assessed and appraised columns of the units' pages follow the same rule over the
self-scored sub-criteria, so a penalty lowers them too.
"""
from __future__ import annotations

SELF_SCORED = ("self_assessed", "bonus", "penalty")


def counted(method: str, points: float | None, maximum: float) -> float:
    """What one sub-criterion adds to its field (negative for a penalty), within its cap."""
    value = min(max(float(points or 0.0), 0.0), float(maximum))
    return -value if method == "penalty" else value


def field_sums(leaves, codes) -> dict[str, float]:
    """Points per field code: every leaf's :attr:`counted` value added to its field."""
    totals = {code: 0.0 for code in codes}
    for leaf in leaves:
        totals[leaf.field_code] = totals.get(leaf.field_code, 0.0) + leaf.counted
    return totals


def _decided(leaves, value) -> float | None:
    found = [value(leaf) for leaf in leaves]
    found = [v for v in found if v is not None]
    return sum(found) if found else None


def _self(leaf) -> float | None:
    return None if leaf.self_points is None else counted(leaf.method, leaf.self_points, leaf.max_points)


def _appraised(leaf) -> float | None:
    return leaf.counted if leaf.source == "appraised" else None


def field_rows(result) -> list[dict]:
    """Per field of a :class:`~survey_app.index.model.UnitIndex`: maximum, self-assessed and
    appraised points (self-scored sub-criteria) and the index points (survey included)."""
    rows = []
    for code, name, maximum in result.fields:
        scored = [leaf for leaf in result.leaves if leaf.field_code == code and leaf.method in SELF_SCORED]
        rows.append({"code": code, "name": name, "max": maximum, "self": _decided(scored, _self),
                     "appraised": _decided(scored, _appraised),
                     "points": result.field_points.get(code, 0.0)})
    return rows


def total_row(result, rows: list[dict]) -> dict:
    """The totals under :func:`field_rows`: the index total is the capped one."""
    def add(key):
        values = [r[key] for r in rows if r[key] is not None]
        return sum(values) if values else None
    return {"max": result.max_points, "self": add("self"), "appraised": add("appraised"),
            "points": result.total}


def unit_points(campaign, unit) -> dict | None:
    """One unit's points per field and in total, computed now (no rank): the units' pages.

    ``{"result": UnitIndex, "fields": [...], "total": {...}}``, or None for a unit outside the
    campaign.
    """
    from survey_app.index.build import unit_result
    result = unit_result(campaign, unit)
    if result is None:
        return None
    rows = field_rows(result)
    return {"result": result, "fields": rows, "total": total_row(result, rows)}


def campaign_points(campaign) -> dict:
    """Unit code → its :class:`~survey_app.index.model.UnitIndex` (no rank), on the run that
    counts for the campaign (:func:`survey_app.results.official.counted_run`)."""
    from survey_app.index.build import unit_results
    from survey_app.results.official import counted_run
    return {result.code: result for result in unit_results(campaign, counted_run(campaign))}


def self_against_appraised(result) -> dict:
    """A unit's self-assessed against appraised points (*bệnh thành tích*), by the rule above.

    ``self``: every self-scored sub-criterion's self-assessed points; ``self_percent``: its share
    of the self-assessed maximum; ``appraised`` and ``gap`` (self minus appraised) over the
    sub-criteria the council has decided; ``adjusted``: how many it changed.
    """
    scored = [leaf for leaf in result.leaves if leaf.method in SELF_SCORED]
    decided = [leaf for leaf in scored if leaf.source == "appraised"]
    self_total = _decided(scored, _self) or 0.0
    maximum = sum(leaf.max_points for leaf in scored if leaf.method == "self_assessed")
    appraised = sum(leaf.counted for leaf in decided)
    return {"self": self_total, "self_percent": 100 * self_total / maximum if maximum else None,
            "appraised": appraised, "gap": sum(_self(leaf) or 0.0 for leaf in decided) - appraised,
            "adjusted": sum(leaf.points != leaf.self_points for leaf in decided)}
