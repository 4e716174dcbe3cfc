"""Moving through a questionnaire one page at a time: which pages are shown, what comes next,
and how a page's posted form becomes answers.

Pages come from the definition's page plan (``pages.py``). A page is shown when at least one
of its questions is relevant, given the answers so far; the server decides, so the flow works
without JavaScript. Repeat pages are not answered in the citizen's flow yet: a form with a
repeat is refused there by :func:`supports`.
"""
from __future__ import annotations

from survey_app.questionnaire.engine import FormEngine

SKIPPED_IN_FLOW = ("calculate", "hidden", "start", "end", "today", "deviceid", "username",
                   "simserial", "subscriberid", "phonenumber")


def supports(definition: dict) -> bool:
    """True when every page is a plain page (no repeats) that the citizen's flow can show."""
    return all(page["kind"] != "repeat" for page in definition["pages"])


def pages(engine: FormEngine) -> list[dict]:
    return engine.definition["pages"]


def shown_questions(engine: FormEngine, page: dict, answers: dict) -> list[dict]:
    return [engine.by_path[p] for p in page["questions"]
            if engine.relevant(engine.by_path[p], answers)]


def is_shown(engine: FormEngine, page: dict, answers: dict) -> bool:
    return bool(shown_questions(engine, page, answers))


def next_page(engine: FormEngine, after: int, answers: dict) -> int | None:
    """Index of the next shown page after ``after`` (-1 for the first), or ``None`` at the end."""
    plan = pages(engine)
    for index in range(after + 1, len(plan)):
        if is_shown(engine, plan[index], answers):
            return index
    return None


def previous_page(engine: FormEngine, before: int, answers: dict) -> int | None:
    plan = pages(engine)
    for index in range(before - 1, -1, -1):
        if is_shown(engine, plan[index], answers):
            return index
    return None


def shown_pages(engine: FormEngine, answers: dict) -> list[int]:
    return [i for i, page in enumerate(pages(engine)) if is_shown(engine, page, answers)]


def page_of(engine: FormEngine, path: str) -> int | None:
    for index, page in enumerate(pages(engine)):
        if path in page["questions"]:
            return index
    return None


def first_unanswered(engine: FormEngine, answers: dict) -> int | None:
    """Where a returning respondent resumes: the first shown page with a refused or empty answer."""
    for index in shown_pages(engine, answers):
        page = pages(engine)[index]
        keys = [engine.keys[q["path"]] for q in shown_questions(engine, page, answers)]
        if engine.page_problems(page, answers) or not any(answers.get(k) for k in keys):
            return index
    return None


def read_page(engine: FormEngine, page: dict, form, answers: dict) -> dict:
    """The answers with this page's posted values in (non-relevant questions on it cleared)."""
    updated = dict(answers)
    for path in page["questions"]:
        question = engine.by_path[path]
        key = engine.keys[path]
        if question["type"] == "select_multiple":
            value = " ".join(v for v in form.getlist(key) if v)
        else:
            value = (form.get(key) or "").strip()
        updated[key] = value
    for path in page["questions"]:
        question = engine.by_path[path]
        if not engine.relevant(question, updated):
            updated.pop(engine.keys[path], None)
    return updated
