"""Spreadsheet rows of the survey sheet, so that every problem can name its row and column.

pyxform's JSON definition does not carry source rows.  :class:`SurveyRows` reads the same
workbook with pyxform's own reader (``get_xlsform``), which keeps empty rows, so the n-th
data row is spreadsheet row n + 2 (the header is row 1), as in pyxform's own messages.  For
``.csv`` and ``.md`` forms the numbers count the rows of the survey table the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pyxform.xls2json_backends import get_xlsform


_STANDARD_COLUMNS = {"list_name", "list name", "name", "label", "image", "audio", "video",
                     "media", "type", "hint", "appearance", "relevant", "constraint",
                     "calculation", "required", "choice_filter", "default", "read_only"}


def _header_key(header: str) -> str:
    """Case-insensitive key of an XLSForm column: ``LABEL::EN`` -> ``label::EN``; other
    columns (a choice filter's ``YES_NO``) keep their case, as pyxform keeps it."""
    base, sep, rest = header.partition(":")
    lowered = base.strip().lower()
    return (lowered if lowered in _STANDARD_COLUMNS else base.strip()) + sep + rest


@dataclass
class SourceRow:
    """One spreadsheet row: its number and its cells keyed by the header as written."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str | None:
        """The cell under ``column`` (case-insensitive header match)."""
        for header, value in self.cells.items():
            if _header_key(header) == column:
                return value
        return None

    def column_of(self, value: str, default: str) -> str:
        """The header of the cell holding ``value`` (``bind:relevant`` or ``relevant``)."""
        for header, cell in self.cells.items():
            if str(cell).strip() == str(value).strip():
                return header
        return default


@dataclass
class SurveyRows:
    """The named rows of the survey sheet, matched to pyxform's elements in document order."""

    rows: list[SourceRow]
    external_choices: list[dict] = field(default_factory=list)
    _next: int = 0

    @classmethod
    def read(cls, path: str) -> SurveyRows:
        """Read ``path`` with pyxform's reader; external choices are kept for their lists."""
        data = get_xlsform(path)
        rows = [SourceRow(i + 2, {str(k): v for k, v in row.items()})
                for i, row in enumerate(data.survey or [])]
        external = [{_header_key(str(k)): v for k, v in row.items()}
                    for row in (data.external_choices or []) if row]
        return cls(rows=rows, external_choices=external)

    def claim(self, name: str) -> SourceRow | None:
        """The next row (after the last claimed one) defining ``name``; None for generated
        elements (pyxform's ``_other`` text, table-list headers, the meta group)."""
        for index in range(self._next, len(self.rows)):
            if self.rows[index].get("name") == name:
                self._next = index + 1
                return self.rows[index]
        return None

    def position(self) -> int:
        """Where the next :meth:`claim` starts looking (to read a loop's rows again)."""
        return self._next

    def rewind(self, position: int) -> None:
        self._next = position

    def external_list(self, list_name: str) -> list[dict]:
        """Rows of the external_choices sheet for one list, without the list_name cell."""
        found = []
        for row in self.external_choices:
            if row.get("list_name", row.get("list name")) == list_name:
                found.append({k: v for k, v in row.items() if k not in ("list_name", "list name")})
        return found


class FormProblem(ValueError):
    """A reason to refuse a form, located at a spreadsheet row and column where known.

    ``template`` is an English msgid with named placeholders filled from ``values``, so the
    importer can translate it for the person reading it; ``reason`` is the English text."""

    def __init__(self, template: str, row: int | None = None, column: str | None = None,
                 **values):
        super().__init__(template % values)
        self.template = template
        self.values = values
        self.reason = template % values
        self.row = row
        self.column = column
