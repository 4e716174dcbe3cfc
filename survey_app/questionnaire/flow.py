"""Moving through a questionnaire one page at a time: which steps are shown, what comes next,
and how a page's posted form becomes answers.

A *step* is a top-level page of the page plan (``pages.py``), or one page of one instance of a
repeat, or the question "add another?" that closes a repeat the respondent sizes. A step is
shown when one of its questions is relevant given the answers so far; the server decides, so
the flow works without JavaScript. Repeats are one level deep in this flow; a repeat with a
``repeat_count`` has exactly that many instances.
"""
from __future__ import annotations

from dataclasses import dataclass

from survey_app.questionnaire.engine import FormEngine
from survey_app.questionnaire.expr_functions import ExpressionError, to_number
from survey_app.questionnaire.expressions import evaluate
from survey_app.questionnaire.types import question_type

MAX_INSTANCES = 50


@dataclass(frozen=True)
class Step:
    """``index``: the top-level page; ``instance`` (0-based) and ``sub`` inside a repeat;
    ``more``: the "add another?" question of the repeat at ``index``."""

    index: int
    instance: int | None = None
    sub: int | None = None
    more: bool = False

    def repeat_path(self, engine: FormEngine) -> list | None:
        if self.instance is None:
            return None
        return [(repeat_of(engine, self)["name"], self.instance)]


def supports(definition: dict) -> bool:
    """True unless a repeat sits inside another repeat (not answered in this flow)."""
    return all(page["kind"] != "repeat" or all(p["kind"] != "repeat" for p in page["pages"])
               for page in definition["pages"])


def plan(engine: FormEngine) -> list[dict]:
    return engine.definition["pages"]


def repeat_of(engine: FormEngine, step: Step) -> dict:
    return engine.by_path[plan(engine)[step.index]["repeat"]]


def page_of_step(engine: FormEngine, step: Step) -> dict | None:
    page = plan(engine)[step.index]
    if step.more:
        return None
    return page["pages"][step.sub] if step.instance is not None else page


def instances(engine: FormEngine, repeat: dict, answers: dict) -> list[dict]:
    found = answers.get(repeat["name"])
    return found if isinstance(found, list) else []


def shown_questions(engine: FormEngine, step: Step, answers: dict) -> list[dict]:
    page = page_of_step(engine, step)
    if page is None:
        return []
    path = step.repeat_path(engine)
    return [engine.by_path[p] for p in page["questions"]
            if engine.relevant(engine.by_path[p], answers, path)]


def values_of(engine: FormEngine, step: Step, answers: dict) -> dict:
    """The dict holding this step's answers: the answers, or the repeat instance."""
    if step.instance is None:
        return answers
    return instances(engine, repeat_of(engine, step), answers)[step.instance]


def fixed_count(engine: FormEngine, page: dict, answers: dict) -> int | None:
    """The number of instances a ``repeat_count`` asks for, given the answers so far."""
    if not page["repeat_count"]:
        return None
    try:
        count = to_number(evaluate(page["repeat_count"], answers, fields=engine.fields))
    except ExpressionError:
        return 0
    return 0 if count != count else max(0, min(MAX_INSTANCES, int(count)))


def with_defaults(engine: FormEngine, answers: dict) -> dict:
    """The answers with every top-level question's fixed ``default`` filled where unanswered
    (a dynamic default is an expression: the calculation pass gives it its value)."""
    filled = dict(answers)
    for question in engine.children(None):
        default = question["bind"].get("default")
        if default not in (None, "") and not question["bind"].get("default_is_dynamic"):
            filled.setdefault(engine.keys[question["path"]], str(default))
    return filled


def sync_repeats(engine: FormEngine, answers: dict) -> dict:
    """Answers with every counted repeat holding exactly ``repeat_count`` instances."""
    updated = dict(answers)
    for page in plan(engine):
        if page["kind"] == "repeat":
            count = fixed_count(engine, page, updated)
            if count is not None:
                repeat = engine.by_path[page["repeat"]]
                current = [dict(i) for i in instances(engine, repeat, updated)][:count]
                updated[repeat["name"]] = current + [{} for _ in range(count - len(current))]
    return updated


def _repeat_steps(engine: FormEngine, index: int, page: dict, answers: dict) -> list[Step]:
    repeat = engine.by_path[page["repeat"]]
    if not engine.relevant(repeat, answers):
        return []
    found = []
    for number in range(len(instances(engine, repeat, answers))):
        for sub in range(len(page["pages"])):
            step = Step(index, number, sub)
            if shown_questions(engine, step, answers):
                found.append(step)
    if not page["repeat_count"]:
        found.append(Step(index, more=True))
    return found


def steps(engine: FormEngine, answers: dict) -> list[Step]:
    """Every step shown for these answers, in order."""
    found: list[Step] = []
    for index, page in enumerate(plan(engine)):
        if page["kind"] == "repeat":
            found.extend(_repeat_steps(engine, index, page, answers))
        elif shown_questions(engine, Step(index), answers):
            found.append(Step(index))
    return found


def neighbour(engine: FormEngine, step: Step, answers: dict, offset: int) -> Step | None:
    """The shown step before (``-1``) or after (``+1``) ``step``, or ``None``."""
    shown = steps(engine, answers)
    if step in shown:
        position = shown.index(step) + offset
        return shown[position] if 0 <= position < len(shown) else None
    later = [s for s in shown if _order(s) > _order(step)] if offset > 0 else \
            [s for s in shown if _order(s) < _order(step)]
    if not later:
        return None
    return later[0] if offset > 0 else later[-1]


def _order(step: Step) -> tuple:
    return (step.index, -1 if step.instance is None else step.instance,
            99999 if step.more else (step.sub or 0))


def first_unanswered(engine: FormEngine, answers: dict, closed: tuple = ()) -> Step | None:
    """Where a returning respondent resumes: the first step with a refused or empty answer, or
    an "add another?" question of a repeat not yet ``closed`` (answered "no")."""
    for step in steps(engine, answers):
        if step.more:
            if repeat_of(engine, step)["name"] not in closed:
                return step
            continue
        questions = shown_questions(engine, step, answers)
        values = values_of(engine, step, answers)
        answered = [q for q in questions if question_type(q["type"]).has_value]
        empty = not any(values.get(engine.keys[q["path"]]) for q in answered)
        only_notes = not answered
        if step_problems(engine, step, answers) or (empty and not only_notes):
            return step
    return None


def step_problems(engine: FormEngine, step: Step, answers: dict) -> list:
    page = page_of_step(engine, step)
    if page is None:
        return []
    if step.instance is None:
        return engine.page_problems(page, answers)
    repeat = repeat_of(engine, step)
    prefix = f"{repeat['name']}[{step.instance + 1}]/"
    return engine.page_problems(page, answers, step.repeat_path(engine),
                                values_of(engine, step, answers), prefix)


def read_step(engine: FormEngine, step: Step, form, answers: dict, files: dict | None = None) -> dict:
    """The answers with this step's posted values in (its non-relevant questions cleared)."""
    updated = {k: ([dict(i) for i in v] if isinstance(v, list) else v) for k, v in answers.items()}
    values = values_of(engine, step, updated)
    page = page_of_step(engine, step)
    for path in page["questions"]:
        question, key = engine.by_path[path], engine.keys[path]
        posted = question_type(question["type"]).read_form(form, key)
        if files is not None and key in files:
            values[key] = files[key]
        elif posted is not None:
            values[key] = posted
    for path in page["questions"]:
        if not engine.relevant(engine.by_path[path], updated, step.repeat_path(engine)):
            values.pop(engine.keys[path], None)
    return sync_repeats(engine, updated)
