"""The PAR Index (*Chỉ số CCHC*) in the report: the ranked table per level with rank intervals
and classes, and each profile's total, field points against its level's average, and losses.

Figures come from the read model of results (:mod:`survey_app.results`): the publication's
frozen index when the campaign is published, else the draft; this module only arranges them.
"""
from __future__ import annotations

from survey_app.results import losses, official
from survey_app.results.points import field_rows

LOSSES_SHOWN = 5


def class_labels(index, locale: str) -> dict[str, str]:
    """Class code → "A (Excellent)" style label from the framework's ``classes``."""
    return {c["code"]: c["label"].get(locale) or c["label"].get("vi", c["code"]) for c in index.classes}


def index_levels(report) -> list[dict]:
    """One block per unit level: its name and its units' results in rank order."""
    names = dict(report.levels)
    return [{"level": level, "name": names.get(level, level),
             "units": sorted(report.index.level(level), key=lambda u: (u.rank or 0, u.code))}
            for level in report.index.levels]


def _field_rows(report, result) -> list[dict]:
    """Each field's points (:func:`field_rows`) and the level's average index points."""
    peers = report.index.level(result.level)
    rows = field_rows(result)
    for row in rows:
        values = [p.field_points.get(row["code"], 0.0) for p in peers]
        row["average"] = sum(values) / len(values) if values else None
    return rows


def _losses(result) -> list[dict]:
    found, _ = losses.losses(result)
    return [{"code": x.code, "name": x.name, "max": x.max_points, "kept": x.points or 0.0,
             "lost": x.lost, "method": x.method} for x in found[:LOSSES_SHOWN]]


def attach_index(report) -> None:
    """Read the campaign's index and add it to the report and to every profile."""
    report.index = official.campaign_index(report.campaign, locale=report.locale)
    report.class_labels = class_labels(report.index, report.locale)
    for profile in report.profiles:
        result = report.index.by_code.get(profile["unit"].code)
        if result is None:
            continue
        profile["index"] = result
        profile["index_fields"] = _field_rows(report, result)
        profile["losses"] = _losses(result)
