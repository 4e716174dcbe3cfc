"""Addresses of the questionnaire's steps, and the "check your answers" page's content: every shown answer as the respondent saw it, and
links from each refused answer to the page where it can be changed."""
from __future__ import annotations

from survey_app.i18n import _
from survey_app.questionnaire import flow
from survey_app.questionnaire.engine import FormEngine
from survey_app.questionnaire.types import question_type


def step_url(ticket, step: flow.Step, **args) -> str:
    """The step's address for this code or open link (see :class:`~survey_app.public.tickets.Ticket`)."""
    if step.more:
        return ticket.url("more", number=step.index + 1, **args)
    if step.instance is not None:
        return ticket.url("repeat_page", number=step.index + 1,
                          instance=step.instance + 1, sub=step.sub + 1, **args)
    return ticket.url("page", number=step.index + 1, **args)


def step_heading(engine: FormEngine, step: flow.Step) -> str:
    """The page's heading: its group's label, and the repeat's label and number inside a repeat."""
    page = flow.page_of_step(engine, step)
    title = ""
    if page and page["kind"] in ("group", "grid"):
        title = engine.text(engine.by_path[page["group"]].get("labels"))
    if step.instance is not None:
        repeat = engine.text(flow.repeat_of(engine, step).get("labels")) or flow.repeat_of(engine, step)["name"]
        title = f"{repeat} {step.instance + 1}" + (f": {title}" if title else "")
    return title


def _row(engine, question, values, answers, step, label_prefix="") -> dict:
    key = engine.keys[question["path"]]
    return {"key": key, "label": label_prefix + (engine.text(question.get("labels")) or key),
            "value": _display(engine, question, values.get(key, "")), "step": step,
            "group": step_heading(engine, step) if step.instance is None else ""}


def sections(rows: list[dict]) -> list[dict]:
    """Consecutive rows of the same page group under one heading (satisfaction rows apart from
    importance rows, whose statements read the same)."""
    found: list[dict] = []
    for row in rows:
        if not found or found[-1]["heading"] != row["group"]:
            found.append({"heading": row["group"], "rows": []})
        found[-1]["rows"].append(row)
    return found


def summary(engine: FormEngine, answers: dict) -> list[dict]:
    """Every shown question with its answer as the respondent saw it, and its step."""
    rows = []
    for step in flow.steps(engine, answers):
        if step.more:
            continue
        prefix = ""
        if step.instance is not None:
            repeat = flow.repeat_of(engine, step)
            prefix = f"{engine.text(repeat.get('labels')) or repeat['name']} {step.instance + 1}: "
        values = flow.values_of(engine, step, answers)
        for question in flow.shown_questions(engine, step, answers):
            if question_type(question["type"]).has_value:
                rows.append(_row(engine, question, values, answers, step, prefix))
    return rows


def _display(engine: FormEngine, question: dict, value: str) -> str:
    choices = {c["name"]: engine.text(c.get("labels")) or c["name"] for c in question.get("choices") or []}
    if question.get("or_other"):
        choices.setdefault("other", _("Other"))
    return question_type(question["type"]).display(question, value, choices)


def problem_links(ticket, engine: FormEngine, answers: dict, problems) -> list[dict]:

    by_key = {}
    for step in flow.steps(engine, answers):
        page = flow.page_of_step(engine, step)
        for path in (page or {}).get("questions", []):
            key = engine.keys[path]
            if step.instance is not None:
                key = f"{flow.repeat_of(engine, step)['name']}[{step.instance + 1}]/{key}"
            by_key.setdefault(key, step)
    return [{"message": p.message, "url": step_url(ticket, by_key[p.key], return_to="check")
             if p.key in by_key else None} for p in problems]
