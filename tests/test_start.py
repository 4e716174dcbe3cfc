"""What starting the platform costs: every command and web process pays for what creating the
application imports, so the libraries only some work needs (SciPy, pandas, matplotlib, pyxform,
WeasyPrint…) are imported by that work, and ``flask --app wsgi index compute`` on stored figures
loads none of them. Each check runs in a fresh interpreter, as a user's command does.

numpy is not in the list: the index's read model is made of the index package's plain data,
whose modules compute with it.
"""
import os
import subprocess
import sys
from pathlib import Path

from survey_app.extensions import db
from survey_app.queries import campaign_by_code
from survey_app.results import stored

ROOT = Path(__file__).resolve().parents[1]
#: Libraries (and the statistics package ``analysis``) that only some work needs: seconds of a
#: command's time when imported at start (SciPy alone about one second).
HEAVY = ("scipy", "pandas", "matplotlib", "pyxform", "openpyxl", "weasyprint", "polars", "pyarrow",
         "docx", "boto3", "huey", "analysis")


def _python(tmp_path, database_url: str, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(PARINDEX_ENV="development", PARINDEX_INSTANCE=str(tmp_path), DATABASE_URL=database_url,
               PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def _imported(importtime_log: str) -> set[str]:
    """Top-level packages named in ``python -X importtime``'s log."""
    return {line.rsplit("|", 1)[-1].strip().split(".")[0]
            for line in importtime_log.splitlines() if line.startswith("import time:")}


def test_creating_the_application_loads_no_library_only_some_work_needs(tmp_path):
    result = _python(tmp_path, f"sqlite:///{tmp_path / 'start.db'}", "-c",
                     "import sys, wsgi; print(' '.join(sorted(sys.modules)))")
    assert result.returncode == 0, result.stderr
    loaded = {name.split(".")[0] for name in result.stdout.split()}
    assert "flask" in loaded and "survey_app" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_index_compute_on_stored_figures_prints_the_index_without_those_libraries(demo_app, tmp_path):
    with demo_app.app_context():
        stored.draft_index(campaign_by_code("HNM-2024"))  # stored by the demo's run, or now
        db.session.remove()
    expected = demo_app.test_cli_runner().invoke(args=["index", "compute", "HNM-2024"])
    assert expected.exit_code == 0, expected.output
    result = _python(tmp_path, demo_app.config["SQLALCHEMY_DATABASE_URI"], "-X", "importtime",
                     "-m", "flask", "--app", "wsgi", "index", "compute", "HNM-2024")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == expected.output
    assert "department:" in result.stdout and "HNM-2024: analysis run" in result.stdout
    loaded = _imported(result.stderr)
    assert "survey_app" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
