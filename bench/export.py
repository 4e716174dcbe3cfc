"""Export speed and memory: the demo's submissions copied up to 200,000, then exported as CSV
(streamed) and XLSX (openpyxl write-only), each in a fresh process that prints its time and peak RSS.

    .venv/bin/python bench/export.py [--rows 200000] [--keep DIR]

Rows are copies of the demo's 1,857 interviews (same cases and design, new ids), so the weights
are computed as for a real campaign of that size. Peak RSS is measured at 10% and 100% of the
rows: a streamed export's memory should barely grow with the number of rows.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BATCH = 5000


def _environment(folder: Path) -> None:
    """Before anything imports survey_app: its Config reads the environment once."""
    os.environ.update(PARINDEX_ENV="development", PARINDEX_INSTANCE=str(folder),
                      DATABASE_URL=f"sqlite:///{folder / 'bench.db'}")


def _app():
    from survey_app import create_app
    return create_app()


def _copy_submissions(target: int) -> int:
    """Insert copies of the demo's citizen submissions until there are ``target`` of them."""
    from sqlalchemy import func, insert, select

    from survey_app.exports.design import questionnaire_for
    from survey_app.extensions import db
    from survey_app.models import Submission
    table = Submission.__table__
    form = questionnaire_for("sipas_citizen").id
    originals = [dict(r._mapping) for r in db.session.execute(select(table).where(table.c.questionnaire_id == form))]
    count = db.session.scalar(select(func.count()).select_from(table).where(table.c.questionnaire_id == form))
    while count < target:
        batch = [{**{k: v for k, v in row.items() if k != "id"}, "instance_uuid": str(uuid.uuid4()),
                  "receipt": None} for row in originals[: min(BATCH, target - count)]]
        db.session.execute(insert(table), batch)
        count += len(batch)
        db.session.commit()
    return count


def prepare(folder: Path, rows: int) -> None:
    _environment(folder)
    from flask_migrate import upgrade

    from survey_app.demo import load_demo
    with _app().app_context():
        upgrade()
        if not (folder / "loaded").exists():
            load_demo(seed=2024)
            (folder / "loaded").touch()
        started = time.perf_counter()
        total = _copy_submissions(rows)
        print(f"database: {total:,} citizen submissions ({time.perf_counter() - started:.0f} s to copy)", flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Unlike ``ru_maxrss``, which Linux carries across
    ``execve`` from the parent, VmHWM starts afresh in the new process image."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(folder: Path, fmt: str) -> None:
    """In a fresh process: export once, print rows, seconds and peak RSS."""
    _environment(folder)
    from survey_app.exports import writers
    from survey_app.exports.submissions import ExportSpec
    from survey_app.queries import campaign_by_code
    with _app().app_context():
        baseline = peak_rss_mb()
        target = folder / f"export.{fmt}"
        spec = ExportSpec(campaign_by_code("HNM-2024"), "sipas_citizen", "vi", labels=True)
        started = time.perf_counter()
        (writers.write_csv if fmt == "csv" else writers.write_xlsx)(spec, target)
        seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    print(f"  {fmt:<4} {seconds:7.1f} s  peak RSS {peak:6.0f} MB (after start-up {baseline:4.0f} MB)  "
          f"file {target.stat().st_size / 1e6:6.1f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--keep", help="folder for the database and files (default: a temporary one)")
    parser.add_argument("--measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(Path(args.keep), args.measure)
    if args.prepare:
        return prepare(Path(args.keep), args.prepare)
    base = Path(args.keep or tempfile.mkdtemp(prefix="parindex-bench-"))
    for rows in (args.rows // 10, args.rows):
        folder = base / str(rows)
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--prepare", str(rows), "--keep", str(folder)], check=True)
        for fmt in ("csv", "xlsx"):
            subprocess.run([sys.executable, __file__, "--measure", fmt, "--keep", str(folder)], check=True)
    print(f"files in {base}")


if __name__ == "__main__":
    main()
