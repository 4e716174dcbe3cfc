"""Time the demo campaign's PDF report, step by step: data, charts, HTML, layout, PDF.

    .venv/bin/python bench/report.py [--keep DIR]

Loads the demo into a fresh SQLite database, stores one analysis run, then renders the report
in Vietnamese; README ("Speed") keeps the measured figures.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _demo_campaign():
    """Migrate, load the demo if the database is empty, store an analysis run; the campaign."""
    from flask_migrate import upgrade

    from survey_app.demo import database_is_empty, load_demo
    from survey_app.queries import campaign_by_code
    from survey_app.survey_analysis.run import analyse
    upgrade()
    if database_is_empty():
        load_demo(seed=2024)
    campaign = campaign_by_code("HNM-2024")
    analyse(campaign)
    return campaign


def _timed_report(campaign, target: Path) -> None:
    from flask_babel import force_locale

    from survey_app.reports.data import build_report
    from survey_app.reports.render import context, layout, render
    clock = [time.perf_counter()]

    def lap(label: str) -> None:
        clock.append(time.perf_counter())
        print(f"  {label:<8} {clock[-1] - clock[-2]:6.1f} s", flush=True)

    with force_locale("vi"):
        report = build_report(campaign, "vi")
        lap("data")
        values = context(report, for_pdf=True)
        lap("charts")
        html = render("report.html", **values)
        lap("html")
    document = layout(html, report.charts)
    lap("layout")
    target.write_bytes(document.write_pdf())
    lap("pdf")
    print(f"demo report: {len(document.pages)} pages in {clock[-1] - clock[0]:.1f} s ({target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="folder for the database and the PDF (default: temporary)")
    folder = Path(parser.parse_args().keep or tempfile.mkdtemp(prefix="parindex-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(PARINDEX_ENV="development", PARINDEX_INSTANCE=str(folder),
                      DATABASE_URL=f"sqlite:///{folder / 'report.db'}")
    from survey_app import create_app
    with create_app().app_context():
        _timed_report(_demo_campaign(), folder / "report.pdf")


if __name__ == "__main__":
    main()
