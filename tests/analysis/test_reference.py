"""Every published R figure of shared/reference/README.md, through the API and the CLI."""

from __future__ import annotations

import json
import math

import pytest

from analysis import poststratify, rake, svymean, svytotal

from api_support import API, run_cli

STYPE = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


def digits(value: float, printed: float) -> bool:
    """True when ``value`` agrees with R's printed figure to its last printed digit.

    R prints 5 significant digits (integers in full): the value must lie within
    half a unit of the last digit, widened by 5% of that half unit for values on
    a rounding boundary: the post-stratified SE of api00 is 23.920486 here and
    in R, which prints 23.921 because ``printCoefmat`` rounds the SE twice
    (to 4 decimals, 23.9205, then to 5 significant digits); see :func:`r_printed`
    and :func:`test_r_printout_reproduced_exactly`.
    """
    decimals = max(0, 4 - len(str(int(abs(printed)))) + 1) if abs(printed) < 1e5 else 0
    return abs(value - printed) <= 0.525 * 10.0**-decimals


def r_printed(value: float, column: str) -> str:
    """A figure as R's ``print.svystat`` shows it.

    ``print.svystat`` calls ``printCoefmat(cbind(estimate, SE))`` with
    ``digits = 5``: the estimate is the coefficient column, rounded to
    ``max(1, digits - digits before the point)`` decimals, and the SE, being the
    last column, is the test-statistic column, rounded to ``dig.tst = 4``
    decimals; each is then formatted to 5 significant digits (integers in
    full).  The SE is thus rounded twice.
    """
    if column == "estimate":
        value = round(value, max(1, 5 - (1 + math.floor(math.log10(abs(value))))))
    else:
        value = round(value, 4)
    return f"{value:.0f}" if abs(value) >= 1e5 else f"{value:.5g}"


# (design fixture, statistic, variable, estimate, se)
TABLE = [
    ("dstrat", "mean", "api00", 662.29, 9.4089),
    ("dstrat", "total", "enroll", 3687178, 114642),
    ("dclus1", "mean", "api00", 644.17, 23.542),
    ("dclus1", "total", "enroll", 3404940, 932235),
    ("dclus2", "mean", "api00", 670.81, 30.099),
    ("dclus2", "total", "enroll", 2639273, 799638),
    ("dclus2wr", "mean", "api00", 670.81, 30.712),
    ("dclus2wr", "total", "enroll", 2639273, 820261),
]
CALIBRATED = [
    ("post", "mean", "api00", 642.31, 23.921),
    ("post", "total", "enroll", 3680893, 406293),
    ("rake", "mean", "api00", 641.23, 23.704),
    ("rake", "total", "enroll", 3647280, 400603),
]
ESTIMATORS = {"mean": svymean, "total": svytotal}


def test_digits_helper_can_fail():
    assert digits(662.2874, 662.29) and not digits(662.30, 662.29)
    assert digits(9.40894, 9.4089) and not digits(9.4095, 9.4089) and not digits(23.9204, 23.921)
    assert digits(3687177.5, 3687178) and not digits(3687179, 3687178)


@pytest.mark.parametrize("fixture, stat, var, est, se", TABLE)
def test_design_figures(request, fixture, stat, var, est, se):
    e = ESTIMATORS[stat](request.getfixturevalue(fixture), var)[0]
    assert digits(e.estimate, est) and digits(e.se, se), (e.estimate, e.se)


@pytest.fixture(scope="module")
def calibrated(dclus1):
    return {"post": poststratify(dclus1, "stype", STYPE),
            "rake": rake(dclus1, {"stype": STYPE, "sch.wide": SCHWIDE})}


@pytest.mark.parametrize("kind, stat, var, est, se", CALIBRATED)
def test_calibrated_figures(calibrated, kind, stat, var, est, se):
    e = ESTIMATORS[stat](calibrated[kind], var)[0]
    assert digits(e.estimate, est) and digits(e.se, se), (e.estimate, e.se)


@pytest.mark.parametrize("fixture, stat, var, est, se", TABLE + CALIBRATED)
def test_r_printout_reproduced_exactly(request, calibrated, fixture, stat, var, est, se):
    """Every README figure is R's printout of our value (23.920486 -> 23.9205 -> "23.921")."""
    design = calibrated[fixture] if fixture in calibrated else request.getfixturevalue(fixture)
    e = ESTIMATORS[stat](design, var)[0]
    assert (r_printed(e.estimate, "estimate"), r_printed(e.se, "se")) == (str(est), str(se)), (e.estimate, e.se)


def test_design_degrees_of_freedom(dstrat, dclus1, dclus2):
    assert (dstrat.df, dclus1.df, dclus2.df) == (197, 14, 39)
    assert svymean(dclus2, "api00")[0].df == 39


def test_raked_weights_as_fixed_give_the_wrong_se(calibrated):
    fixed = svytotal(calibrated["rake"].ignoring_calibration(), "enroll")[0]
    assert round(fixed.se) == pytest.approx(1_000_326, abs=1)
    right = svytotal(calibrated["rake"], "enroll")[0]
    assert round(right.se) == 400603 and fixed.estimate == pytest.approx(right.estimate)


CLI_DESIGNS = {
    "dstrat": ["--data", API / "apistrat.csv", "--weights", "pw", "--strata", "stype", "--fpc", "fpc"],
    "dclus1": ["--data", API / "apiclus1.csv", "--weights", "pw", "--psu", "dnum", "--fpc", "fpc"],
    "dclus2": ["--data", API / "apiclus2.csv", "--psu", "dnum", "--ssu", "snum", "--fpc", "fpc1,fpc2"],
    "dclus2wr": ["--data", API / "apiclus2.csv", "--weights", "pw", "--psu", "dnum", "--ssu", "snum"],
}
CLI_DESIGNS["post"] = CLI_DESIGNS["dclus1"] + ["--poststratify", "stype=E:4421,H:755,M:1018"]
CLI_DESIGNS["rake"] = CLI_DESIGNS["dclus1"] + ["--rake", "stype=E:4421,H:755,M:1018",
                                               "--rake", "sch.wide=No:1072,Yes:5122"]
DF = {"dstrat": 197, "dclus1": 14, "dclus2": 39, "dclus2wr": 39, "post": 14, "rake": 14}


@pytest.mark.parametrize("name", list(CLI_DESIGNS))
def test_cli_reproduces_the_table(name):
    proc = run_cli("estimate", *CLI_DESIGNS[name], "--mean", "api00", "--total", "enroll", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert [set(r) for r in records] == [{"statistic", "variable", "level", "domain", "estimate", "se",
                                          "ci_low", "ci_high", "df", "deff", "n"}] * 2
    expected = [row for row in TABLE + CALIBRATED if row[0] == name]
    for record, (_, stat, var, est, se) in zip(records, expected):
        assert (record["statistic"], record["variable"]) == (stat, var)
        assert digits(record["estimate"], est) and digits(record["se"], se)
        assert record["df"] == DF[name] and record["level"] is None and record["domain"] is None
