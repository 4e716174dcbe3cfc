"""The survey section of the campaign report (*báo cáo kết quả điều tra xã hội học*): data,
charts, HTML and PDF rendering, and the ``flask --app wsgi report`` command.

Templates, styles and the shipped font live in the repository's ``reports/`` folder; the same
section templates make the PDF (WeasyPrint) and the analysts' HTML pages.
"""
from pathlib import Path

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"
FONTS_DIR = REPORTS_DIR / "fonts"
