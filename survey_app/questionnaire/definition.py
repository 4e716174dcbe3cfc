"""The normalised questionnaire definition the rendering and validation engine works from.

:func:`build_definition` walks pyxform's JSON (``pyxform.xls2json.parse_file_to_json``),
refuses what the platform cannot answer (unsupported types, expressions our engine cannot
evaluate), naming the spreadsheet row and column, and returns::

    {
      "form_id", "version", "title", "default_language",
      "languages": [{"name": "Tiếng Việt (vi)", "code": "vi"}, ...],   # "default": code None
      "pyxform": {...},            # pyxform's JSON, unchanged
      "questions": [element, ...], # flat, in form order, groups before their contents
      "pages": [page, ...],        # see survey_app/questionnaire/pages.py
      "warnings": ["row 3: ...", ...],
    }

Each element of ``questions``::

    name, path ("household/member/age": the group/repeat names above it, then its name),
    parent (path of the enclosing group/repeat or None), row (1-based spreadsheet row of
    the survey sheet; for pyxform-generated elements the row of their source), type
    (canonical, see question_types.py: text ... group, repeat), xlsform_type (as written),
    generated (True for the text question pyxform adds after an "or_other" select),
    labels {language: text}, hints {language: text}, media {kind: file or {language: file}},
    list_name, choices [{name, labels {language: text}, media, columns {other column: value}}]
    (None for non-select types), bind {relevant, constraint, constraint_message {language:
    text}, required ('true()' or an expression), required_message {language: text},
    calculation, readonly ('true()' or an expression), default, default_is_dynamic},
    appearance, parameters (range start/end/step; image max-pixels; text rows), choice_filter
    (as written), choice_filter_expression (bare column names as ${name}),
    choice_filter_columns (those names: evaluate with the choice's columns in the answers),
    or_other (bool), repeat_count (expression or None), trigger (names or None).

Language keys are the column suffixes as written (``label::Tiếng Việt (vi)`` ->
"Tiếng Việt (vi)"); a column without a suffix is "default".  pyxform's ``meta`` group
(instanceID, entities) is not an element: the platform records its own submission ids.
A ``begin loop over LIST`` block is expanded as pyxform expands it: one group per choice,
``%(label)s`` / ``%(name)s`` in labels replaced by the choice's label / name.
"""
from __future__ import annotations

import copy

from survey_app.questionnaire.element import ElementBuilder, texts
from survey_app.questionnaire.languages import language_code
from survey_app.questionnaire.pages import page_plan
from survey_app.questionnaire.question_types import canonical_type
from survey_app.questionnaire.sheet_rows import FormProblem, SurveyRows

_GENERATED_PREFIXES = ("generated_table_list_label_", "reserved_name_for_field_list_labels_")

__all__ = ["FormProblem", "build_definition"]


def _names(node: dict, found: set[str]) -> set[str]:
    for child in node.get("children", []):
        found.add(child["name"])
        _names(child, found)
    return found


class _Walker:
    """Turns pyxform's element tree into the flat element list, claiming source rows."""

    def __init__(self, rows: SurveyRows, known: set[str]):
        self.rows = rows
        self.builder = ElementBuilder(rows, known)
        self.elements: list[dict] = []

    def walk(self, children: list[dict], parent: dict | None) -> None:
        last_select = None
        for node in children:
            if self._skipped(node, parent):
                continue
            row = self.rows.claim(node["name"])
            if row is None and last_select and node["name"] == last_select["name"] + "_other":
                self.elements.append(self.builder.other_text(node, last_select, parent))
                continue
            element = self._element(node, row, parent)
            last_select = element if element["or_other"] else None

    def _skipped(self, node: dict, parent: dict | None) -> bool:
        """pyxform's meta group and its table-list header rows are not questions."""
        if parent is None and node["name"] == "meta" and node.get("control", {}).get("bodyless"):
            return True
        return node["name"].startswith(_GENERATED_PREFIXES)

    def _element(self, node: dict, row, parent: dict | None) -> dict:
        written = (row.get("type") if row else None) or node["type"]
        kind = canonical_type(node["type"])
        if kind is None:
            raise FormProblem("the question type '%(type)s' is not supported",
                              row.number if row else None, "type", type=written)
        if kind == "loop":
            self._loop(node, row, written, parent)
            return {"or_other": False}
        element = self.builder.build(node, row, kind, written, parent)
        self.elements.append(element)
        if kind in ("group", "repeat"):
            self.walk(node.get("children", []), element)
        return element

    def _loop(self, node: dict, row, written: str, parent: dict | None) -> None:
        """One group per choice of the loop's list, the questions repeated in each."""
        outer = self.builder.build({**node, "children": []}, row, "group", written, parent)
        self.elements.append(outer)
        start = self.rows.position()
        for column in node.get("columns", []):
            self.rows.rewind(start)
            group = {"type": "group", "name": column["name"], "label": column.get("label"),
                     "children": [_substitute(child, column) for child in node.get("children", [])]}
            self._element(group, row, outer)


def _substitute(node: dict, column: dict) -> dict:
    """A copy of a loop question with %(label)s and %(name)s filled in for one choice."""
    node = copy.deepcopy(node)
    labels, column_labels = texts(node.get("label")), texts(column.get("label"))
    for language, text in labels.items():
        label = column_labels.get(language) or next(iter(column_labels.values()), column["name"])
        labels[language] = text.replace("%(label)s", label).replace("%(name)s", column["name"])
    if labels:
        node["label"] = labels
    return node


def _languages(elements: list[dict]) -> list[dict]:
    found: list[str] = []
    for element in elements:
        for field in ("labels", "hints"):
            found.extend(k for k in element[field] if k not in found)
        for choice in element["choices"] or []:
            found.extend(k for k in choice["labels"] if k not in found)
    return [{"name": name, "code": language_code(name)} for name in found]


def build_definition(pyxform_json: dict, rows: SurveyRows, warnings: list[str]) -> dict:
    """Check and normalise a parsed form; raise :class:`FormProblem` for the first problem."""
    walker = _Walker(rows, _names(pyxform_json, set()))
    walker.walk(pyxform_json.get("children", []), None)
    questions = walker.elements
    if not questions:
        raise FormProblem("the survey sheet has no questions")
    return {
        "form_id": pyxform_json["id_string"],
        "version": str(pyxform_json.get("version") or "1"),
        "title": pyxform_json.get("title") or pyxform_json["id_string"],
        "default_language": pyxform_json.get("default_language", "default"),
        "languages": _languages(questions) or [{"name": "default", "code": None}],
        "pyxform": pyxform_json,
        "questions": questions,
        "pages": page_plan(questions),
        "warnings": [*warnings, *walker.builder.warnings],
    }
