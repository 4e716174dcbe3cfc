"""The intake checks, one small function per rule, each returning a reason or ``None``.

Rules (thresholds from :class:`~survey_app.models.QualitySettings` of the questionnaire):

* ``too_fast``: the interview took less than ``min_seconds_per_question`` × answered questions.
* ``straight_lining``: in at least ``straightline_share`` of the Likert grids (a page of three
  or more single-choice questions on one choice list), every answer is the same.
* ``duplicate``: the same phone, name or address (normalised) in another submission of the
  campaign.
* ``same_location``: ``max_at_location`` or more interviews of one enumerator within
  ``location_radius_m`` of each other (great-circle distance).
* ``off_area``: the case's unit is outside the enumerator's area, or the interview was
  recorded more than ``off_area_km`` from the median position of the other interviews of
  its cluster (village).
* ``unusual_hour``: started before ``earliest_hour`` or after ``latest_hour`` local time.

Reference: Kreuter (ed.), *Improving Surveys with Paradata*, Wiley 2013, ch. 8-9 (speeding,
straight-lining, interviewer falsification); AAPOR, *Interviewer Falsification in Survey
Research*, 2003.
"""
from __future__ import annotations

import math
from statistics import median

from survey_app.i18n import _
from survey_app.questionnaire.types import question_type

EARTH_RADIUS_M = 6_371_000


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in metres between two (lat, lon) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def too_fast(duration_s: float | None, answered: int, minimum: float) -> str | None:
    if duration_s is None or answered == 0:
        return None
    floor = minimum * answered
    if duration_s >= floor:
        return None
    return _("The interview took %(took)d s, less than the minimum of %(floor)d s "
             "(%(n)d answered questions × %(min)s s).", took=round(duration_s), floor=round(floor),
             n=answered, min=f"{minimum:g}")


def likert_grids(definition: dict) -> list[list[str]]:
    """Answer keys of each grid: a page of ≥ 3 single-choice questions sharing a choice list."""
    by_path = {q["path"]: q for q in definition["questions"]}
    grids = []
    for page in definition.get("pages", []):
        questions = [by_path[p] for p in page.get("questions", [])]
        lists = {q.get("list_name") for q in questions}
        single = all(question_type(q["type"]).single_choice for q in questions)
        if len(questions) >= 3 and len(lists) == 1 and single:
            grids.append([q["name"] for q in questions])
    return grids


def straight_lining(answers: dict, grids: list[list[str]], share: float) -> str | None:
    answered = [[answers[k] for k in grid if answers.get(k)] for grid in grids]
    answered = [values for values in answered if len(values) >= 3]
    if not answered:
        return None
    flat = [values for values in answered if len(set(values)) == 1]
    if len(flat) / len(answered) < share:
        return None
    return _("The same answer to every question in %(flat)d of %(grids)d answer grids.",
             flat=len(flat), grids=len(answered))


def duplicate(kinds: list[str], receipts: list[str]) -> str | None:
    if not kinds:
        return None
    labels = {"phone": _("phone"), "name": _("name"), "address": _("address")}
    return _("Same %(what)s as interview %(other)s in this campaign.",
             what=", ".join(labels[k] for k in kinds), other=", ".join(receipts))


def same_location(neighbours: int, radius: float, limit: int) -> str | None:
    if neighbours + 1 < limit:
        return None
    return _("%(n)d interviews by this enumerator within %(r)d m of each other.",
             n=neighbours + 1, r=round(radius))


def off_area(point, others: list[tuple[float, float]], limit_km: float) -> str | None:
    if point is None or len(others) < 3:
        return None
    centre = (median(p[0] for p in others), median(p[1] for p in others))
    away = distance_m(point, centre) / 1000
    if away <= limit_km:
        return None
    return _("Recorded %(km)s km from the other interviews of its village (limit %(limit)s km).",
             km=f"{away:.1f}", limit=f"{limit_km:g}")


def unusual_hour(hour: int | None, earliest: int, latest: int) -> str | None:
    if hour is None or earliest <= hour < latest:
        return None
    return _("Started at %(hour)02d h, outside %(a)02d h–%(b)02d h.", hour=hour, a=earliest, b=latest)


def outside_unit(unit_name: str) -> str:
    return _("The case's unit %(unit)s is outside the enumerator's area.", unit=unit_name)
