"""``bench/fuzz.py``'s summary: the count per status, every 5xx, and a loud failure when the time
ran out before the requests asked for were sent (the fuzz itself is not run here)."""
from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[1] / "bench" / "fuzz.py"


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("bench_fuzz", FUZZ)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_full_run_without_5xx_prints_each_status_and_passes(fuzz, capsys):
    assert fuzz.report("sqlite", Counter({200: 6000, 404: 3000, 422: 1000}), [], 10000, 120, 13) == 0
    out = capsys.readouterr()
    assert "sqlite: 10000 requests" in out.out
    assert "  200: 6000" in out.out and "  404: 3000" in out.out and "  422: 1000" in out.out
    assert out.err == ""


def test_a_run_cut_short_by_the_time_says_so_and_fails(fuzz, capsys):
    assert fuzz.report("postgres", Counter({200: 7000, 404: 1200}), [], 10000, 300, 13) == 1
    err = capsys.readouterr().err
    assert "ONLY 8200 OF 10000 REQUESTS WERE SENT" in err and "--seconds" in err


def test_every_5xx_is_printed_and_counted(fuzz, capsys):
    failures = [(500, "POST", "/api/field/visits", b'{"outcome": {}}'), (0, "GET", "/", b"")]
    assert fuzz.report("sqlite", Counter({200: 9998, 500: 1, 0: 1}), failures, 10000, 100, 13) == 2
    out = capsys.readouterr().out
    assert "  500: 1" in out and "  no answer: 1" in out and "500 POST /api/field/visits" in out
