"""Command-line error paths and output formats."""

from __future__ import annotations

import json

import pytest

from api_support import API, run_cli

CLUS1 = ["estimate", "--data", API / "apiclus1.csv", "--weights", "pw", "--psu", "dnum", "--fpc", "fpc"]


@pytest.mark.parametrize("args, message", [
    (["estimate", "--data", API / "missing.csv", "--weights", "pw", "--mean", "api00"], "cannot read"),
    (CLUS1[:4] + ["pwx", "--mean", "api00"], "unknown column 'pwx'"),
    (CLUS1[:4] + ["name", "--mean", "api00"], "weights column 'name' has missing or non-numeric"),
    (CLUS1 + ["--mean", "nope"], "unknown column 'nope'"),
    (CLUS1 + ["--rake", "stype=E:4421,H:755", "--mean", "api00"], "level 'M' in the data has no population total"),
    (CLUS1 + ["--poststratify", "stype=E:1,H:2,M:3,X:4", "--mean", "api00"], "level 'X' has no respondents"),
    (CLUS1 + ["--rake", "stype", "--mean", "api00"], "must look like COL=LEVEL:TOTAL"),
    (CLUS1 + ["--trim", "abc", "--mean", "api00"], "--trim"),
    (CLUS1, "nothing to estimate"),
    (CLUS1 + ["--mean", "api00", "--bogus"], "unrecognized arguments"),
    (CLUS1 + ["--mean", "api00", "--lonely-psu", "ignore"], "invalid choice"),
    (["estimate", "--data", API / "apiclus2.csv", "--psu", "dnum", "--mean", "api00"], "weights are required"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_negative_weights(tmp_path, apiclus1):
    path = tmp_path / "neg.csv"
    apiclus1.assign(pw=-apiclus1["pw"]).to_csv(path, index=False)
    proc = run_cli("estimate", "--data", path, "--weights", "pw", "--mean", "api00")
    assert proc.returncode == 2 and "negative" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_proportion_by_domain_json_and_formats():
    proc = run_cli(*CLUS1, "--proportion", "stype", "--by", "sch.wide", "--ratio", "api00/api99",
                   "--trim", "0:1000", "--ci", "normal", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    props = [r for r in records if r["statistic"] == "proportion"]
    assert {(r["domain"], r["level"]) for r in props} == {(d, l) for d in ("No", "Yes") for l in "EHM"}
    assert all(r["df"] is None for r in records)  # normal intervals: infinite df
    assert [r["variable"] for r in records if r["statistic"] == "ratio"] == ["api00/api99"] * 2
    for fmt, marker in [("csv", "statistic,variable"), ("table", "statistic")]:
        out = run_cli(*CLUS1, "--mean", "api00", "--format", fmt)
        assert out.returncode == 0 and out.stdout.startswith(marker)
