"""The authoritative server-side evaluation of a questionnaire: relevance, calculations,
required answers, constraints and types, page by page or for a whole submission.

Every submission is re-validated here whatever the browser did; the browser's JavaScript
(``static/js/expr.js``) evaluates the same expressions only to help the respondent.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from survey_app.i18n import _
from survey_app.questionnaire.answers import answer_keys, check_type, repeat_of
from survey_app.questionnaire.types import question_type
from survey_app.questionnaire.expr_functions import ExpressionError, to_boolean, to_string
from survey_app.questionnaire.expressions import evaluate, lookup_answers

NO_VALUE = ("group", "repeat")


@dataclass(frozen=True)
class Problem:
    """An answer the server refuses: its answer key (``repeat[i]/key`` inside repeats) and why."""

    key: str
    message: str


class FormEngine:
    """Evaluates one questionnaire version's definition against answers."""

    def __init__(self, definition: dict, language: str | None = None):
        self.definition = definition
        self.questions = definition["questions"]
        self.by_path = {q["path"]: q for q in self.questions}
        self.keys = answer_keys(self.questions)
        self.fields = frozenset({q["name"] for q in self.questions} | set(self.keys.values()))
        self.language = language
        self._children: dict[str | None, list[dict]] = {}
        for question in self.questions:
            if question["type"] != "group":
                self._children.setdefault(repeat_of(question, self.by_path), []).append(question)
        # Precomputed once, since a submission checks every question: the relevance
        # expressions from each question up to the form's root, and the allowed names of
        # choices that no filter narrows.
        self._relevance = {q["path"]: self._relevance_chain(q) for q in self.questions}
        self._fixed_choices = {q["path"]: frozenset(c["name"] for c in q["choices"])
                               | ({"other"} if q.get("or_other") else set())
                               for q in self.questions
                               if q.get("choices") is not None and not q.get("choice_filter_expression")}

    def _relevance_chain(self, question: dict) -> tuple[str, ...]:
        chain, node = [], question
        while node is not None:
            if node["bind"].get("relevant"):
                chain.append(node["bind"]["relevant"])
            node = self.by_path.get(node["parent"]) if node["parent"] else None
        return tuple(chain)

    # --- text in the respondent's language -------------------------------------------
    def text(self, texts: dict | None) -> str:
        """The text in the chosen language, else the form's default, else any."""
        if not texts:
            return ""
        for language in (self.language, self.definition.get("default_language"), "default"):
            if language in texts:
                return texts[language]
        return next(iter(texts.values()))

    # --- expressions --------------------------------------------------------------------
    @functools.cached_property
    def choice_labels(self) -> dict[str, dict[str, str]]:
        """Question name -> choice name -> label in the chosen language (jr:choice-name)."""
        return {q["name"]: {str(c["name"]): self.text(c.get("labels")) for c in q["choices"]}
                for q in self.questions if q.get("choices") is not None}

    def _true(self, expr: str | None, answers: dict, current=None, repeat_path=None, default=True) -> bool:
        if not expr:
            return default
        try:
            return to_boolean(evaluate(expr, answers, current=current, repeat_path=repeat_path,
                                       fields=self.fields, choices=self.choice_labels))
        except ExpressionError:
            return False

    def relevant(self, question: dict, answers: dict, repeat_path=None, memo: dict | None = None) -> bool:
        """The question and every group or repeat above it are relevant.

        ``memo``: results kept by expression and repeat instance while ``answers`` do not change
        (a whole-submission check), so a group's relevance is evaluated once, not per question."""
        chain = self._relevance.get(question["path"])
        if chain is None:
            chain = self._relevance_chain(question)
        for expr in chain:
            if memo is None:
                shown = self._true(expr, answers, repeat_path=repeat_path)
            else:
                key = (expr, tuple(repeat_path or ()))
                shown = memo.get(key)
                if shown is None:
                    shown = memo[key] = self._true(expr, answers, repeat_path=repeat_path)
            if not shown:
                return False
        return True

    def required(self, question: dict, answers: dict, repeat_path=None) -> bool:
        return self._true(question["bind"].get("required"), answers, repeat_path=repeat_path,
                          default=False)

    def choices(self, question: dict, answers: dict, repeat_path=None) -> list[dict] | None:
        """The choices shown, after the choice filter (each choice's columns join the answers)."""
        options = question.get("choices")
        expr = question.get("choice_filter_expression")
        if options is None or not expr:
            return options
        shown = []
        for choice in options:
            scope = dict(answers, **(choice.get("columns") or {}))
            scope.setdefault("name", choice["name"])
            if self._true(expr, scope, repeat_path=repeat_path):
                shown.append(choice)
        return shown

    # --- structure ----------------------------------------------------------------------
    def children(self, scope: str | None) -> list[dict]:
        """Questions and repeats directly in ``scope`` (a repeat path or ``None``), groups flattened."""
        return self._children.get(scope, [])

    # --- calculations -------------------------------------------------------------------
    def calculate(self, answers: dict, now=None) -> dict:
        """Fill every calculation in form order (twice, so later ones may feed earlier ones)."""
        result = lookup_answers(dict(answers))
        for _pass in range(2):
            self._calculate_scope(None, result, result, [], now)
        return dict(result)

    def _calculate_scope(self, scope, values: dict, root: dict, repeat_path: list, now) -> None:
        for question in self.children(scope):
            if question["type"] == "repeat":
                for index, instance in enumerate(values.get(question["name"]) or []):
                    self._calculate_scope(question["path"], instance, root,
                                          repeat_path + [(question["name"], index)], now)
                continue
            expr = question["bind"].get("calculation")
            if not expr:
                continue
            key = self.keys[question["path"]]
            if not self.relevant(question, root, repeat_path):
                values[key] = ""
                continue
            try:
                values[key] = to_string(evaluate(expr, root, repeat_path=repeat_path or None, now=now,
                                                 fields=self.fields, choices=self.choice_labels))
            except ExpressionError:
                values[key] = ""

    # --- checks -------------------------------------------------------------------------
    def check(self, question: dict, values: dict, root: dict, repeat_path=None,
              prefix: str = "", memo: dict | None = None) -> Problem | None:
        """Why the answer to ``question`` is refused, or ``None`` when it is acceptable."""
        key = self.keys[question["path"]]
        value = question_type(question["type"]).read_json(values.get(key))
        if (question["type"] in NO_VALUE or not question_type(question["type"]).has_value
                or not self.relevant(question, root, repeat_path, memo)):
            return None
        if value == "":
            if self.required(question, root, repeat_path):
                message = self.text(question["bind"].get("required_message")) or _("Answer this question.")
                return Problem(prefix + key, message)
            return None
        error = check_type(question, value, self._choice_names(question, root, repeat_path))
        if error is None and question["bind"].get("constraint"):
            if not self._true(question["bind"]["constraint"], root, current=value, repeat_path=repeat_path):
                error = (self.text(question["bind"].get("constraint_message"))
                         or _("This answer is not accepted."))
        return Problem(prefix + key, error) if error else None

    def _choice_names(self, question, answers, repeat_path) -> frozenset[str] | list[str] | None:
        fixed = self._fixed_choices.get(question["path"])
        if fixed is not None:
            return fixed
        shown = self.choices(question, answers, repeat_path)
        if shown is None:
            return None
        names = [c["name"] for c in shown]
        return names + ["other"] if question.get("or_other") else names

    def page_problems(self, page: dict, answers: dict, repeat_path=None, instance: dict | None = None,
                      prefix: str = "") -> list[Problem]:
        """Problems with the questions of one page (a repeat instance's page: its ``instance``)."""
        values = answers if instance is None else instance
        found = [self.check(self.by_path[path], values, answers, repeat_path, prefix)
                 for path in page["questions"]]
        return [p for p in found if p]

    def problems(self, answers: dict) -> list[Problem]:
        """Every refused answer of a whole submission, repeats included, plus unknown keys."""
        found = self._unknown(None, answers, "")
        root = lookup_answers(answers)
        found += self._scope_problems(None, root, root, [], "", {})
        return found

    def _scope_problems(self, scope, values, root, repeat_path, prefix, memo) -> list[Problem]:
        found = []
        for question in self.children(scope):
            if question["type"] == "repeat":
                found += self._repeat_problems(question, values, root, repeat_path, prefix, memo)
            else:
                problem = self.check(question, values, root, repeat_path or None, prefix, memo)
                found += [problem] if problem else []
        return found

    def _repeat_problems(self, repeat, values, root, repeat_path, prefix, memo) -> list[Problem]:
        instances = values.get(repeat["name"]) or []
        if not isinstance(instances, list) or not all(isinstance(i, dict) for i in instances):
            return [Problem(prefix + repeat["name"], _("This group of answers is malformed."))]
        found = []
        for index, instance in enumerate(instances):
            inner = f"{prefix}{repeat['name']}[{index + 1}]/"
            found += self._unknown(repeat["path"], instance, inner)
            found += self._scope_problems(repeat["path"], instance, root,
                                          repeat_path + [(repeat["name"], index)], inner, memo)
        return found

    def _unknown(self, scope, values: dict, prefix: str) -> list[Problem]:
        known = {self.keys[q["path"]] if q["type"] != "repeat" else q["name"]
                 for q in self.children(scope)}
        return [Problem(prefix + key, _("This question is not in the questionnaire."))
                for key in values if key not in known]

    def clean(self, answers: dict) -> dict:
        """The answers with those to questions that are not relevant removed (top level)."""
        kept, root, memo = {}, lookup_answers(answers), {}
        for question in self.children(None):
            key = question["name"] if question["type"] == "repeat" else self.keys[question["path"]]
            if key in answers and self.relevant(question, root, memo=memo):
                kept[key] = answers[key]
        return kept


#: Engines of immutable (published or retired) versions, by (version id, source checksum,
#: language); the checksum keeps two databases (tests, several apps) from sharing an entry.
_ENGINES: OrderedDict[tuple, FormEngine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
ENGINE_CACHE_SIZE = 64


def cached_engine(key: tuple, definition: Callable[[], dict], language: str | None = None) -> FormEngine:
    """The :class:`FormEngine` of an immutable questionnaire version, built once per process.

    ``key`` identifies the version's content (version id and source checksum); ``definition``
    loads the definition only when the engine is not cached yet. Building an engine indexes
    every question, and loading a definition decodes a large JSON document: both cost more
    than validating a submission, so the intake of the offline collector reuses them. The
    engine is read-only after construction, so threads may share it.
    """
    full_key = (*key, language)
    with _ENGINES_LOCK:
        found = _ENGINES.get(full_key)
        if found is not None:
            _ENGINES.move_to_end(full_key)
            return found
    engine = FormEngine(definition(), language)
    with _ENGINES_LOCK:
        _ENGINES[full_key] = engine
        while len(_ENGINES) > ENGINE_CACHE_SIZE:
            _ENGINES.popitem(last=False)
    return engine
