"""Paths and the CLI runner shared by the analysis tests (unique module name: no clash
with the top-level ``tests/conftest.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
API = SHARED / "reference" / "api"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run ``python -m analysis`` in the repository and capture its output."""
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
