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
    """One block per unit level, highest level first: its name, its units' results in rank
    order, and which of them differ for certain (:func:`separation`)."""
    blocks = []
    for level, name in report.levels:
        if level not in report.index.levels:
            continue
        units = sorted(report.index.level(level), key=lambda u: (u.rank or 0, u.code))
        blocks.append({"level": level, "name": name, "units": units, **separation(units)})
    return blocks


def separation(units) -> dict:
    """Which units of one level the survey tells apart, read from their rank intervals.

    Two units differ for certain when their rank intervals do not overlap (the better one's
    lowest rank is above the other's highest). A unit is *ahead* when it is certainly above at
    least half of the level's other units, *behind* when certainly below at least half; the rest
    cannot be told apart from most of their level.
    """
    known = [u for u in units if u.rank_low is not None and u.rank_high is not None]
    above = {u.code: sum(1 for v in known if v.rank_low > u.rank_high) for u in known}
    below = {u.code: sum(1 for v in known if v.rank_high < u.rank_low) for u in known}
    half = (len(known) - 1) / 2
    group = {u.code: "ahead" if above[u.code] >= half > 0 else "behind" if below[u.code] >= half > 0
             else "unclear" for u in known}
    pairs = len(known) * (len(known) - 1) // 2
    return {"group": group, "pairs": pairs, "certain_pairs": sum(above.values()),
            "ahead": [u for u in known if group[u.code] == "ahead"],
            "behind": [u for u in known if group[u.code] == "behind"]}


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
