"""The page plan for answering one question per page on a phone.

:func:`page_plan` turns the flat element list (definition.py) into pages, in form order::

    {"kind": "question", "questions": [path]}            # any other shown question
    {"kind": "group", "group": path, "questions": [...]}  # a field-list group: one page
    {"kind": "grid", "group": path, "questions": [...]}   # a Likert grid (table-list) group
    {"kind": "repeat", "repeat": path, "repeat_count": expr or None, "pages": [...]}

A repeat's ``pages`` are the pages of ONE instance; the renderer shows them for each
instance (``repeat_count`` fixed, else the respondent adds instances).  A group without
field-list or table-list appearance only contributes its questions' pages (its relevance
is on its element).  Calculations, hidden values and metadata have no page.  A grid is a
``table-list`` group, or a field-list group made the manual way (a first select with
appearance ``label`` followed by ``list-nolabel`` selects).
"""
from __future__ import annotations

from survey_app.questionnaire.types import has_page

_ONE_PAGE = ("field-list", "table-list")


def _children(elements: list[dict]) -> dict[str | None, list[dict]]:
    by_parent: dict[str | None, list[dict]] = {}
    for element in elements:
        by_parent.setdefault(element["parent"], []).append(element)
    return by_parent


def _shown_below(path: str, by_parent: dict) -> list[str]:
    """Paths of the shown questions inside a group, at any depth, in form order."""
    found = []
    for child in by_parent.get(path, []):
        if child["type"] in ("group", "repeat"):
            found.extend(_shown_below(child["path"], by_parent))
        elif has_page(child["type"]):
            found.append(child["path"])
    return found


def _is_grid(group: dict, by_parent: dict) -> bool:
    appearance = (group["appearance"] or "").split()
    if "table-list" in appearance:
        return True
    questions = by_parent.get(group["path"], [])
    return (len(questions) > 1 and (questions[0]["appearance"] or "") == "label"
            and all("list-nolabel" in (q["appearance"] or "") for q in questions[1:]))


def _pages(parent: str | None, by_parent: dict) -> list[dict]:
    pages: list[dict] = []
    for element in by_parent.get(parent, []):
        kind = element["type"]
        if kind == "repeat":
            pages.append({"kind": "repeat", "repeat": element["path"],
                          "repeat_count": element["repeat_count"],
                          "pages": _pages(element["path"], by_parent)})
        elif kind == "group" and set((element["appearance"] or "").split()) & set(_ONE_PAGE):
            questions = _shown_below(element["path"], by_parent)
            if questions:
                page_kind = "grid" if _is_grid(element, by_parent) else "group"
                pages.append({"kind": page_kind, "group": element["path"], "questions": questions})
        elif kind == "group":
            pages.extend(_pages(element["path"], by_parent))
        elif has_page(kind):
            pages.append({"kind": "question", "questions": [element["path"]]})
    return pages


def page_plan(elements: list[dict]) -> list[dict]:
    """Pages for the whole form (see the module docstring)."""
    return _pages(None, _children(elements))
