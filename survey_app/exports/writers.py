"""File formats for exports: CSV streamed as text chunks, XLSX with openpyxl's write-only mode
(rows go to disk as they come), SPSS ``.sav`` and Stata ``.dta`` with pyreadstat, carrying the
variable labels and the answer codes' value labels.

Every cell goes through :func:`~survey_app.exports.cells.csv_writer` or
:func:`~survey_app.exports.cells.xlsx_row`, so free text that starts with ``=`` is never read as
a formula by a spreadsheet.
"""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

from survey_app.exports.cells import csv_writer, xlsx_row
from survey_app.exports.codebook import codebook_rows
from survey_app.exports.design import design_weights
from survey_app.exports.design_sheet import design_rows
from survey_app.exports.submissions import ExportSpec, header, rows, variables

CHUNK_ROWS = 500
STATA_LABEL_CHARS = 80     # Stata's limit for variable labels
SPSS_LABEL_BYTES = 255     # what SPSS keeps of a variable label, in UTF-8 bytes


def csv_chunks(spec: ExportSpec, progress=None):
    """The CSV as text chunks: a BOM so Excel reads UTF-8, the header, then rows in batches."""
    columns = variables(spec)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header(columns))
    for count, row in enumerate(rows(spec, columns), start=1):
        writer.writerow(row)
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(count)
    yield buffer.getvalue()


def write_csv(spec: ExportSpec, target: Path, progress=None) -> Path:
    with open(target, "w", encoding="utf-8", newline="") as handle:
        for chunk in csv_chunks(spec, progress):
            handle.write(chunk)
    return Path(target)


def _sheet(workbook, title: str, lines) -> None:
    sheet = workbook.create_sheet(title)
    for line in lines:
        xlsx_row(sheet, line)


def write_xlsx(spec: ExportSpec, target: Path, progress=None) -> Path:
    """Sheets ``data`` (one row per submission), ``codebook`` and ``design`` (units, levels and
    raking targets, :mod:`~survey_app.exports.design_sheet`), written row by row."""
    columns = variables(spec)
    weights = design_weights(spec.campaign, spec.form_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    xlsx_row(sheet, header(columns))
    for count, row in enumerate(rows(spec, columns, weights), start=1):
        xlsx_row(sheet, row)
        if progress and count % CHUNK_ROWS == 0:
            progress(count)
    _sheet(workbook, "codebook", codebook_rows(columns))
    _sheet(workbook, "design", design_rows(spec.campaign, weights, columns))
    workbook.save(target)
    return Path(target)


def write_codebook(spec: ExportSpec, target: Path, progress=None) -> Path:
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        csv_writer(handle).writerows(codebook_rows(variables(spec)))
    return Path(target)


def write_design(spec: ExportSpec, target: Path, progress=None) -> Path:
    """The design sheet as CSV: units, levels and raking targets."""
    weights = design_weights(spec.campaign, spec.form_id)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        csv_writer(handle).writerows(design_rows(spec.campaign, weights, variables(spec)))
    return Path(target)
