"""The index as plain JSON-ready dictionaries: one shape for the API and ``index compute --json``."""
from __future__ import annotations


def _r(value, places: int = 4):
    return None if value is None else round(float(value), places)


def leaf_json(leaf) -> dict:
    out = {"code": leaf.code, "name": leaf.name, "field": leaf.field_code, "method": leaf.method,
           "max_points": _r(leaf.max_points), "points": _r(leaf.points), "source": leaf.source,
           "self_points": _r(leaf.self_points)}
    if leaf.method == "survey":
        out["points_se"] = _r(leaf.points_se)
        out["no_result_reason"] = leaf.reason or None
        if leaf.indicator is not None:
            out["indicator"] = {"statistic": leaf.indicator.statistic, "variable": leaf.indicator.variable,
                                "estimate": _r(leaf.indicator.estimate, 6), "se": _r(leaf.indicator.se, 6),
                                "percent": _r(leaf.indicator.percent), "n": leaf.indicator.n}
    return out


def unit_json(result, leaves: bool = False) -> dict:
    out = {"code": result.code, "name": result.name, "level": result.level,
           "max_points": _r(result.max_points), "total": _r(result.total), "se": _r(result.se),
           "ci": [_r(result.ci_low), _r(result.ci_high)], "percent": _r(result.percent),
           "rank": result.rank, "rank_interval": [result.rank_low, result.rank_high],
           "units_in_level": result.units_in_level, "class": result.grade,
           "class_interval": list(result.grade_range or ()), "rescaled": result.rescaled,
           "bonus": _r(result.bonus), "penalty": _r(result.penalty),
           "pending_survey_points": _r(result.pending_survey_points),
           "pending_appraisal": result.pending_appraisal,
           "fields": [{"code": code, "name": name, "max_points": _r(maximum),
                       "points": _r(result.field_points.get(code, 0.0))}
                      for code, name, maximum in result.fields]}
    if leaves:
        out["sub_criteria"] = [leaf_json(leaf) for leaf in result.leaves]
    return out


def campaign_json(index, leaves: bool = False) -> dict:
    """The whole index; a published one also says its version and decision (``publication``)."""
    run = index.run
    publication = getattr(index, "publication", None)
    return {"campaign": index.campaign.code, "year": index.campaign.year,
            "framework": {"code": index.campaign.framework.code,
                          "version": index.campaign.framework.version},
            "analysis_run": None if run is None else {"number": run.number,
                                                      "input_fingerprint": run.input_fingerprint},
            "publication": None if publication is None else publication_json(publication),
            "has_survey": index.has_survey, "simulation": {"draws": index.draws, "seed": index.seed},
            "ranking": "competition (1, 2, 2, 4) within each level, totals at 2 decimals",
            "units": [unit_json(u, leaves) for u in index.units]}


def publication_json(publication) -> dict:
    return {"version": publication.version, "decision_number": publication.decision_number,
            "decision_date": publication.decision_date.isoformat(), "signer": publication.signer,
            "reason": publication.reason, "report_sha256": publication.report_sha256,
            "created_at": publication.created_at.isoformat(), "changes": publication.changes}
