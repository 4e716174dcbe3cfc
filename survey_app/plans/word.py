"""The plan's documents as editable Word files (python-docx), from the content that
:mod:`survey_app.plans.documents` builds: Times New Roman 13 pt as administrative documents are
typed, the heading in a borderless two-column table, the task tables with grid lines."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from survey_app.i18n import _

FONT, SIZE = "Times New Roman", Pt(13)


def _document() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, SIZE
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    return doc


def _para(doc, text="", bold=False, italic=False, center=False, size=None, cell=None):
    paragraph = (cell or doc).add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _heading(doc, found: dict, kind: str, subject: str, extra: str | None = None) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    left.paragraphs[0].add_run(found["body"]).bold = True
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, found["number"], center=True, cell=left)
    right.paragraphs[0].add_run(found["nation"]).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, found["motto"], bold=True, center=True, cell=right)
    _para(doc, found["date_line"], italic=True, center=True, cell=right)
    _para(doc)
    _para(doc, kind, bold=True, center=True, size=14)
    _para(doc, subject, bold=True, center=True)
    if extra:
        _para(doc, extra, bold=True, center=True)


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values):
            cell.text = str(text)


def _signature(doc, signer: str) -> None:
    _para(doc)
    right = _para(doc, signer or _("(signature)"), bold=True)
    right.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def task_header() -> list[str]:
    return [_("No."), _("Task"), _("Sub-criteria"), _("Lead unit"), _("Cooperating units"), _("Deadline"),
            _("Expected points")]


def plan_docx(content: dict) -> bytes:
    doc = _document()
    _heading(doc, content["heading"], content["kind"], content["subject"])
    _para(doc, _("I. PURPOSE AND REQUIREMENTS"), bold=True)
    for text in content["purpose"]:
        _para(doc, text)
    _para(doc, _("II. TASKS AND SOLUTIONS"), bold=True)
    _para(doc, _("1. Targets"), bold=True)
    for unit, lines in content["targets"]:
        _para(doc, f"{unit}: " + "; ".join(lines) + ".")
    _para(doc, _("2. Tasks by field"), bold=True)
    for label, count, rows in content["fields"]:
        _para(doc, _("%(field)s: %(count)s tasks", field=label, count=count), italic=True)
        for row in rows:
            _para(doc, f"- {row['title']} ({row['lead']}, {row['deadline']})")
    _para(doc, _("III. ORGANISATION OF IMPLEMENTATION"), bold=True)
    for text in content["organisation"] + content["duties"]:
        _para(doc, text)
    _para(doc, _("Reporting periods:"), italic=True)
    for text in content["periods"]:
        _para(doc, f"- {text}")
    _signature(doc, content["signer"])
    if content["recipients"]:
        _para(doc, _("Recipients:"), bold=True, italic=True)
        for unit in content["recipients"]:
            _para(doc, f"- {unit};")
    appendix = doc.add_section()
    appendix.orientation = WD_ORIENT.LANDSCAPE
    appendix.page_width, appendix.page_height = Cm(29.7), Cm(21)
    _para(doc, _("APPENDIX"), bold=True, center=True)
    _para(doc, _("Tasks of the plan"), bold=True, center=True)
    _table(doc, task_header(), [[r["number"], r["title"], r["criteria"], r["lead"], r["partners"],
                                 r["deadline"], r["points"]] for r in content["tasks"]])
    return _bytes(doc)


def progress_docx(content: dict) -> bytes:
    doc = _document()
    _heading(doc, content["heading"], content["kind"], content["subject"], content["period"])
    for number, section in enumerate(content["sections"], start=1):
        _para(doc, f"{number}. {section['unit']}", bold=True)
        _para(doc, "; ".join(f"{label}: {count}" for label, count in section["counts"]))
        _table(doc, [_("No."), _("Task"), _("Lead unit"), _("Status"), _("Account")],
               [[r["number"], r["title"], r["lead"], " ".join(x for x in (r["status"], r["flag"]) if x),
                 r["account"]] for r in section["rows"]])
    _signature(doc, content["signer"])
    return _bytes(doc)
