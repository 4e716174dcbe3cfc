"""Programs the tests run (Node, Rscript, Chromium): their path, a failure under CI when one is
missing (CI installs them all: ``.ci/run``), a skip elsewhere."""
from __future__ import annotations

import os
import shutil

import pytest


def need_program(name: str, purpose: str) -> str:
    """The path of ``name``; fails under ``CI=true`` and skips otherwise when it is missing."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is required under CI {purpose}")
        pytest.skip(f"{name} is not installed")
    return found
