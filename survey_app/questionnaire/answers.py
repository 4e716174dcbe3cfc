"""How answers are stored, and how each question type's value is checked.

Answers are one JSON document per submission, a flat dict keyed by the question's *answer
key*: its name, or, where several questions share a name (a ``begin loop`` expands one block
per choice), its path below the nearest repeat. Groups add no nesting; a repeat's instances are
a list of such dicts under the repeat's name. Values are the text an XForm instance holds:
numbers as text, select_multiple as space-separated choice names, dates ``YYYY-MM-DD``, times
``HH:MM:SS``, geopoints ``lat lon alt accuracy``; ``""`` or a missing key is unanswered.
"""
from __future__ import annotations

from survey_app.questionnaire.types import question_type


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


def check_type(question: dict, value: str, allowed_choices: list[str] | None) -> str | None:
    """A message when ``value`` is not a valid answer of the question's type, else ``None``
    (the type's own check, types/)."""
    return question_type(question["type"]).check(question, value, allowed_choices)
