"""One normalised element of the questions list (the fields are described in definition.py).

Every expression of the element is checked here with our engine (expression_checks.py),
so a refusal names the element's spreadsheet row and the column the expression came from.
"""
from __future__ import annotations

import re

from pyxform.utils import default_is_dynamic

from survey_app.questionnaire.expression_checks import (boolean_or_expression, check_expression,
                                                        choice_filter_expression)
from survey_app.questionnaire.question_types import type_defaults
from survey_app.questionnaire.sheet_rows import SourceRow, SurveyRows
from survey_app.questionnaire.types import question_type

_OR_OTHER = re.compile(r"\bor[_ ]other\b|\bor specify other\b")
_CHOICE_KEYS = ("name", "label", "media")


def texts(value) -> dict[str, str]:
    """A label, hint or message as {language: text}; untranslated text is "default"."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"default": str(value)}


def _parameters(node: dict, kind: str) -> dict:
    """Range start/end/step, image max-pixels and text rows as one flat dict of text."""
    control, bind = node.get("control", {}), node.get("bind", {})
    found = question_type(kind).parameters(control)
    if "orx:max-pixels" in bind:
        found["max-pixels"] = str(bind["orx:max-pixels"])
    if "rows" in control:
        found["rows"] = str(control["rows"])
    return found


def _choices(items: list[dict] | None) -> list[dict] | None:
    if items is None:
        return None
    return [{"name": str(item.get("name", "")), "labels": texts(item.get("label")),
             "media": item.get("media") or {},
             "columns": {k: v for k, v in item.items() if k not in _CHOICE_KEYS}}
            for item in items if item]


class ElementBuilder:
    """Builds elements and checks their expressions against the form's names."""

    def __init__(self, rows: SurveyRows, known: set[str]):
        self.rows = rows
        self.known = known
        self.warnings: list[str] = []

    def build(self, node: dict, row: SourceRow | None, kind: str, written: str,
              parent: dict | None) -> dict:
        """The element for one pyxform node of canonical type ``kind``."""
        path = f"{parent['path']}/{node['name']}" if parent else node["name"]
        control = node.get("control", {})
        element = {
            "name": node["name"], "path": path, "parent": parent["path"] if parent else None,
            "row": row.number if row else (parent or {}).get("row"), "type": kind,
            "xlsform_type": written, "generated": False,
            "labels": texts(node.get("label")), "hints": texts(node.get("hint")),
            "media": node.get("media") or {}, "list_name": node.get("list_name"),
            "choices": self._choice_list(node, kind),
            "bind": self._bind(node, kind, written),
            "appearance": self._appearance(node, row),
            "parameters": _parameters(node, kind),
            "or_other": question_type(kind).has_choices and bool(_OR_OTHER.search(written.lower())),
            "repeat_count": str(control["jr:count"]) if "jr:count" in control else None,
            "trigger": node.get("trigger"),
        }
        element.update(self._choice_filter(node, element, row))
        self._check(element, row)
        return element

    def other_text(self, node: dict, select: dict, parent: dict | None) -> dict:
        """pyxform's "Specify other" text after an or_other select, relevant in our syntax."""
        element = self.build({**node, "bind": {}}, None, "text", "text", parent)
        element.update(row=select["row"], generated=True)
        element["bind"]["relevant"] = f"selected(${{{select['name']}}}, 'other')"
        return element

    def _choice_list(self, node: dict, kind: str) -> list[dict] | None:
        handler = question_type(kind)
        if handler.external_choices:
            return _choices(self.rows.external_list(node.get("itemset", "")))
        return _choices(node.get("choices")) if handler.has_choices else None

    @staticmethod
    def _appearance(node: dict, row: SourceRow | None) -> str | None:
        """As written in the sheet (pyxform turns table-list into field-list), else pyxform's."""
        written = row.get("appearance") if row else None
        return str(written).strip() if written else node.get("control", {}).get("appearance")

    @staticmethod
    def _bind(node: dict, kind: str, written: str) -> dict:
        bind, defaults = node.get("bind", {}), type_defaults(written)
        default = node.get("default")
        dynamic = bool(node.get("_dynamic_default")) or default_is_dynamic(default, kind)
        return {
            "relevant": bind.get("relevant"),
            "constraint": bind.get("constraint", defaults.get("constraint")),
            "constraint_message": texts(bind.get("jr:constraintMsg")),
            "required": boolean_or_expression(bind.get("required")),
            "required_message": texts(bind.get("jr:requiredMsg")),
            "calculation": bind.get("calculate"),
            "readonly": boolean_or_expression(bind.get("readonly")),
            "default": None if default is None else str(default),
            "default_is_dynamic": dynamic,
        }

    def _choice_filter(self, node: dict, element: dict, row: SourceRow | None) -> dict:
        expr = node.get("choice_filter")
        if not expr:
            return {"choice_filter": None, "choice_filter_expression": None,
                    "choice_filter_columns": []}
        engine, columns = choice_filter_expression(expr, row)
        present = {"name", "label"} | {k for c in element["choices"] or [] for k in c["columns"]}
        for name in columns:
            if name not in present:
                self.warnings.append(
                    f"row {element['row']}: the choice filter '{expr}' uses '{name}', which is "
                    f"not a column of the list {element['list_name'] or node.get('itemset')}: "
                    "it is empty for every choice")
        return {"choice_filter": expr, "choice_filter_expression": engine,
                "choice_filter_columns": columns}

    def _check(self, element: dict, row: SourceRow | None) -> None:
        """Every expression column with our engine; refusal names the row and the column."""
        bind = element["bind"]
        columns = [("relevant", bind["relevant"]), ("constraint", bind["constraint"]),
                   ("calculation", bind["calculation"]), ("required", bind["required"]),
                   ("read_only", bind["readonly"]), ("repeat_count", element["repeat_count"])]
        if bind["default_is_dynamic"]:
            columns.append(("default", bind["default"]))
        for column, expr in columns:
            if expr:
                check_expression(expr, self.known, row, column)
        if element["choice_filter_expression"]:
            known = self.known | set(element["choice_filter_columns"])
            check_expression(element["choice_filter_expression"], known, row, "choice_filter")
