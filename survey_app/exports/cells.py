"""The one place where a cell of a tabular export, CSV or XLSX, is written: free text such as a
citizen's suggestion that starts with ``=`` is never read as a formula by a spreadsheet (OWASP's
CSV injection rule).

Apart from the export formats (:mod:`~survey_app.exports.writers`, which load pandas and the
analysis) so that a page writing a small CSV, such as the invitation codes, loads neither.
"""
from __future__ import annotations

import csv

#: A cell starting with one of these is a formula (or becomes one) in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell that a spreadsheet would run as a formula, with a leading ``'`` so it shows
    as text; numbers and every other cell unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralised(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(handle, **options) -> _SafeWriter:
    """The one CSV writer of every export."""
    return _SafeWriter(handle, **options)


def xlsx_row(sheet, row) -> None:
    """Append ``row`` to a write-only sheet; a text cell stays text (never a formula), keeping
    its exact characters; numbers stay numbers."""
    from openpyxl.cell import WriteOnlyCell  # loaded already by whoever made the workbook

    cells = []
    for value in row:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        cells.append(value)
    sheet.append(cells)
