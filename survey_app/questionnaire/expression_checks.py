"""Check every expression of a form with our own expression engine, naming row and column.

pyxform checks ``${name}`` references but not whether our engine (``expressions.py``, the
same language in Python and in the browser) can evaluate an expression: a calculation
written in words, ``../name`` paths or an unknown function would only fail while people
answer.  So each expression column is parsed here at import and refused with the
engine's reason.

Choice filters are evaluated per choice: a bare name (``cf``, ``pastel``) means a column
of the choice list, as in ODK.  :func:`choice_filter_expression` rewrites those names as
``${name}`` references so the engine can evaluate the filter with the choice's columns
added to the answers; the names are returned so the renderer knows which ones they are.
"""
from __future__ import annotations

from survey_app.questionnaire.expressions import ExpressionError, references, tokenize, validate
from survey_app.questionnaire.sheet_rows import FormProblem, SourceRow

_WORD_OPERATORS = {"and", "or", "div", "mod"}
_TRUE_WORDS = {"yes", "true", "true()"}
_FALSE_WORDS = {"no", "false", "false()"}


def boolean_or_expression(value) -> str | None:
    """``required``/``readonly``: yes/true -> 'true()', no/false/empty -> None, else the
    expression as written."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in _TRUE_WORDS:
        return "true()"
    if text.lower() in _FALSE_WORDS or not text:
        return None
    return text


def check_expression(expr: str, known: set[str], row: SourceRow | None, column: str) -> None:
    """Parse ``expr`` and check its references; raise :class:`FormProblem` at the cell."""
    number = row.number if row else None
    header = row.column_of(expr, column) if row else column
    try:
        validate(expr)
        unknown = sorted(references(expr) - known)
    except ExpressionError as exc:
        raise FormProblem("'%(expr)s' is not a valid expression: %(reason)s",
                          number, header, expr=expr, reason=exc.message) from None
    if unknown:
        raise FormProblem("'%(expr)s' refers to ${%(name)s}, which is not a question of this form",
                          number, header, expr=expr, name=unknown[0])


def _operand_end(kind: str, value: str) -> bool:
    """Whether a token ends an operand, so that a following 'and'/'or' is an operator."""
    return kind in ("num", "str", "ref") or (kind == "op" and value in (")", ".", ".."))


def choice_filter_expression(expr: str, row: SourceRow | None) -> tuple[str, list[str]]:
    """Rewrite the bare choice-column names of a choice filter as ``${name}``.

    Returns the engine expression and the column names, in order of first use."""
    try:
        tokens = tokenize(expr)
    except ExpressionError as exc:
        raise FormProblem("'%(expr)s' is not a valid expression: %(reason)s",
                          row.number if row else None, "choice_filter",
                          expr=expr, reason=exc.message) from None
    pieces, columns, last, previous = [], [], 0, ("op", "(")
    for index, (kind, value, start) in enumerate(tokens[:-1]):
        following = tokens[index + 1]
        is_call = following[0] == "op" and following[1] == "("
        is_operator = value in _WORD_OPERATORS and _operand_end(*previous)
        if kind == "name" and not is_call and not is_operator:
            pieces.append(expr[last:start] + "${" + value + "}")
            last = start + len(value)
            if value not in columns:
                columns.append(value)
            previous = ("ref", value)
        else:
            previous = (kind, value)
    pieces.append(expr[last:])
    return "".join(pieces), columns
