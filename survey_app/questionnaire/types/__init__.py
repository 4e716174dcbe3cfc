"""The registry of question types: one class per type (or family) in builtin.py, looked up here.

Everything type-specific goes through :func:`question_type`: the import (names, aliases,
parameters, choices), the page's form post (flow.read_step), the check (answers.check_type),
the check page (public/respond_summary.py), the page's macro (templates/public/respond/
_types.html), the exports (exports/statfiles.py) and the description the browser renderers
read (:func:`browser_types`). A new type is a class registered with
:func:`~survey_app.questionnaire.types.base.register`, a macro if none fits, and its vectors.
"""
from __future__ import annotations

from jinja2 import ChoiceLoader, FunctionLoader

from survey_app.questionnaire.types.base import OWN_TEMPLATES, REGISTRY, QuestionType, register
from survey_app.questionnaire.types import builtin  # noqa: F401  (registers the built-in types)

__all__ = ["QuestionType", "register", "question_type", "has_page", "input_types", "file_types",
           "collected_file_types", "browser_types", "browser_definition", "init_app"]

_FALLBACK = QuestionType("text")


def question_type(name: str | None) -> QuestionType:
    """The handler of a canonical type; a value-only type (calculate, hidden, metadata) is
    checked as text."""
    return REGISTRY.get(name or "", _FALLBACK)


def has_page(canonical: str) -> bool:
    """Whether a question of this type is shown to the respondent."""
    return canonical in REGISTRY


def input_types() -> tuple[str, ...]:
    """Types shown to the respondent as an input of their own."""
    return tuple(REGISTRY)


def file_types() -> dict[str, dict[str, str]]:
    """File-answer type → suffix → MIME type taken."""
    return {name: kind.accepted for name, kind in REGISTRY.items() if kind.takes_file}


def collected_file_types() -> tuple[str, ...]:
    """File-answer types the offline collector records."""
    return tuple(name for name, kind in REGISTRY.items() if kind.takes_file and kind.collected_offline)


def own_macro(template: str) -> str | None:
    """The Jinja source of ``question-types/<type>.html``: the macro a type brings itself."""
    if not template.startswith(OWN_TEMPLATES):
        return None
    kind = REGISTRY.get(template.removeprefix(OWN_TEMPLATES).removesuffix(".html"))
    return kind.macro_source if kind else None


def init_app(app) -> None:
    """Serve the macros types bring themselves (:attr:`QuestionType.macro_source`) as templates."""
    app.jinja_loader = ChoiceLoader([app.jinja_loader, FunctionLoader(own_macro)])


def browser_types(names=None) -> dict[str, dict]:
    """Type → what the browser needs to render and check it (in the request's language)."""
    wanted = REGISTRY if names is None else [n for n in dict.fromkeys(names) if n in REGISTRY]
    return {name: REGISTRY[name].browser() for name in wanted}


def browser_definition(definition: dict, keys) -> dict:
    """The definition's ``keys`` as sent to the collector, with the description of its types."""
    sent = {k: definition.get(k) for k in keys}
    sent["types"] = browser_types(q["type"] for q in definition.get("questions", []))
    return sent
