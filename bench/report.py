"""Time the demo campaign's PDF report, step by step: data, charts, HTML, layout, PDF.

    .venv/bin/python bench/report.py [--keep DIR]

Loads the demo into a fresh SQLite database, stores one analysis run, then renders the report
in Vietnamese; README ("Speed") keeps the measured figures. Each step prints its wall-clock and
CPU seconds (on a shared machine the CPU figure moves less with the load), and the work it was
given: HTML elements, tables, cells and bytes, chart bytes, pages.
"""
from __future__ import annotations

import argparse
import os
import re
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
    from survey_app.reports.render import context, layout, render, young_collections_only
    clock, cpu = [time.perf_counter()], [time.process_time()]

    def lap(label: str) -> None:
        clock.append(time.perf_counter())
        cpu.append(time.process_time())
        print(f"  {label:<8} {clock[-1] - clock[-2]:6.1f} s  (CPU {cpu[-1] - cpu[-2]:5.1f} s)", flush=True)

    with young_collections_only(), force_locale("vi"):  # as render.pdf_bytes does
        report = build_report(campaign, "vi")
        lap("data")
        values = context(report, for_pdf=True)
        lap("charts")
        html = render("report.html", **values)
        lap("html")
        print(f"  work     {len(re.findall(r'<[a-z]', html)):,} elements, {html.count('<table'):,} tables, "
              f"{len(re.findall(r'<t[dh][ >]', html)):,} cells, {len(html.encode()):,} bytes of HTML, "
              f"{sum(len(png) for png in report.charts.values() if png):,} bytes of charts", flush=True)
        document = layout(html, report.charts)
        lap("layout")
        target.write_bytes(document.write_pdf())
        lap("pdf")
    print(f"demo report: {len(document.pages)} pages in {clock[-1] - clock[0]:.1f} s "
          f"(CPU {cpu[-1] - cpu[0]:.1f} s; {os.getloadavg()[0]:.1f} load average) ({target})")


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
