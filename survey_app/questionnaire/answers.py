"""How answers are stored, and how each question type's value is checked.

Answers are one JSON document per submission, a flat dict keyed by the question's *answer
key*: its name, or, where several questions share a name (a ``begin loop`` expands one block
per choice), its path below the nearest repeat. Groups add no nesting; a repeat's instances are
a list of such dicts under the repeat's name. Values are the text an XForm instance holds:
numbers as text, select_multiple as space-separated choice names, dates ``YYYY-MM-DD``, times
``HH:MM:SS``, geopoints ``lat lon alt accuracy``; ``""`` or a missing key is unanswered.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time

from survey_app.i18n import _
from survey_app.i18n import lazy_gettext as _l

MAX_TEXT = 10_000
_INTEGER = re.compile(r"^[+-]?\d{1,15}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def answer_keys(questions: list[dict]) -> dict[str, str]:
    """Path → answer key: the name, unless another question in the same repeat shares it."""
    by_path = {q["path"]: q for q in questions}
    scope = {q["path"]: repeat_of(q, by_path) for q in questions}
    seen: dict[tuple, int] = {}
    for q in questions:
        seen[(scope[q["path"]], q["name"])] = seen.get((scope[q["path"]], q["name"]), 0) + 1
    keys = {}
    for q in questions:
        repeat = scope[q["path"]]
        unique = seen[(repeat, q["name"])] == 1
        keys[q["path"]] = q["name"] if unique else q["path"][len(repeat) + 1 if repeat else 0:]
    return keys


def repeat_of(question: dict, by_path: dict[str, dict]) -> str | None:
    """Path of the innermost repeat holding ``question``, or ``None``."""
    parent = question["parent"]
    while parent is not None:
        if by_path[parent]["type"] == "repeat":
            return parent
        parent = by_path[parent]["parent"]
    return None


def _number(value: str) -> float | None:
    return float(value) if _DECIMAL.match(value) else None


def _check_range(question: dict, value: str) -> str | None:
    number = _number(value)
    params = question.get("parameters") or {}
    start, end = float(params.get("start", 0)), float(params.get("end", 10))
    step = float(params.get("step", 1))
    low, high = min(start, end), max(start, end)
    if number is None or not low <= number <= high:
        return _("Choose a value from %(low)s to %(high)s.", low=f"{low:g}", high=f"{high:g}")
    if step and not math.isclose((number - low) / step, round((number - low) / step), abs_tol=1e-9):
        return _("Choose a value in steps of %(step)s.", step=f"{step:g}")
    return None


def _parse(parser, value: str) -> bool:
    try:
        parser(value)
        return True
    except ValueError:
        return False


def _geopoint(value: str) -> bool:
    parts = value.split()
    if len(parts) not in (2, 3, 4) or not all(_number(p) is not None for p in parts):
        return False
    lat, lon = float(parts[0]), float(parts[1])
    return -90 <= lat <= 90 and -180 <= lon <= 180


_FORMATS = {
    "integer": (lambda v: bool(_INTEGER.match(v)), _l("Enter a whole number.")),
    "decimal": (lambda v: _number(v) is not None, _l("Enter a number.")),
    "date": (lambda v: _parse(date.fromisoformat, v) and len(v) == 10, _l("Enter a date as YYYY-MM-DD.")),
    "time": (lambda v: _parse(time.fromisoformat, v), _l("Enter a time as HH:MM.")),
    "datetime": (lambda v: _parse(datetime.fromisoformat, v), _l("Enter a date and time.")),
    "geopoint": (_geopoint, _l("Enter a location as latitude and longitude.")),
}


def check_type(question: dict, value: str, allowed_choices: list[str] | None) -> str | None:
    """A message when ``value`` is not a valid answer of the question's type, else ``None``."""
    kind = question["type"]
    if kind in _FORMATS:
        test, message = _FORMATS[kind]
        return None if test(value) else str(message)
    if kind == "range":
        return _check_range(question, value)
    if kind in ("select_one", "select_one_external"):
        return None if allowed_choices is None or value in allowed_choices else _("Choose one of the options.")
    if kind == "select_multiple":
        picked = value.split()
        if len(picked) != len(set(picked)) or (allowed_choices is not None
                                                and not set(picked) <= set(allowed_choices)):
            return _("Choose from the options shown.")
        return None
    if len(value) > MAX_TEXT:
        return _("The answer is too long (at most %(max)d characters).", max=MAX_TEXT)
    return None
