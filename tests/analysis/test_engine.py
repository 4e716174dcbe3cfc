"""Variance engine: domains on the full design, lonely PSU rules, cross-checks with svy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import svy

from analysis import LonelyPSUError, SurveyDesign, rake, svymean, svyprop, vcov
from analysis.estimators import domains, ratio_core

from api_support import API


def independent_var(frame: pd.DataFrame, x: np.ndarray, rule: str) -> float:
    """Textbook one-stage stratified cluster variance (Lohr 2019, eq. 6.9), by explicit loops."""
    psu_tot = pd.Series(x).groupby([frame["h"], frame["psu"]]).sum()
    grand = psu_tot.mean()
    parts, lonely = [], 0
    for h, tot in psu_tot.groupby(level=0):
        n_h = len(tot)
        if n_h > 1:
            parts.append(n_h / (n_h - 1) * ((tot - tot.mean()) ** 2).sum())
        else:
            lonely += 1
            parts.append(((tot - grand) ** 2).sum() if rule == "adjust" else 0.0)
    total = sum(parts)
    n_strata = psu_tot.index.get_level_values(0).nunique()
    return total * n_strata / (n_strata - lonely) if rule == "average" else total


@pytest.fixture(scope="module")
def lonely_frame():
    rng = np.random.default_rng(3)
    rows = [(h, p) for h in range(5) for p in range(1 if h == 2 else 3) for _ in range(4)]
    frame = pd.DataFrame(rows, columns=["h", "psu"])
    frame["w"] = rng.uniform(1, 3, len(frame))
    frame["y"] = rng.normal(10, 2, len(frame)) + frame["h"]
    return frame


def test_lonely_fail_names_the_stratum(lonely_frame):
    with pytest.raises(LonelyPSUError, match="stratum '2'"):
        SurveyDesign(lonely_frame, weights="w", strata="h", clusters="psu")


@pytest.mark.parametrize("rule", ["remove", "certainty", "adjust", "average"])
def test_lonely_rules_match_an_independent_computation(lonely_frame, rule):
    d = SurveyDesign(lonely_frame, weights="w", strata="h", clusters="psu", lonely_psu=rule)
    se = svytotal_se(d)
    expected = np.sqrt(independent_var(lonely_frame, (lonely_frame["w"] * lonely_frame["y"]).to_numpy(), rule))
    assert se == pytest.approx(expected, rel=1e-12)


def svytotal_se(design):
    from analysis import svytotal
    return svytotal(design, "y")[0].se


def test_lonely_rules_differ(lonely_frame):
    se = {r: svytotal_se(SurveyDesign(lonely_frame, weights="w", strata="h", clusters="psu", lonely_psu=r))
          for r in ["remove", "adjust", "average"]}
    assert len({round(v, 9) for v in se.values()}) == 3


def test_domain_variances_equal_dense_covariance(dclus2, dstrat):
    for design, by in [(dclus2, "stype"), (dstrat, "awards")]:
        dom, labels = domains(design, by)
        y = design.data[["api00"]].to_numpy(float)
        core = ratio_core(design, y, np.ones_like(y), dom, len(labels))
        dense = core["z"][:, 0][:, None] * (dom[:, None] == np.arange(len(labels)))
        sparse_se = svymean(design, "api00", by=by).to_frame()["se"].to_numpy()
        assert sparse_se == pytest.approx(np.sqrt(np.diag(vcov(design, dense))), rel=1e-12)


def test_calibrated_domain_variances_equal_dense_path(dclus1):
    raked = rake(dclus1, {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}})
    dom, labels = domains(raked, "cname")
    y = raked.data[["enroll"]].to_numpy(float)
    core = ratio_core(raked, y, None, dom, len(labels))
    dense = core["z"][:, 0][:, None] * (dom[:, None] == np.arange(len(labels)))
    from analysis import svytotal
    got = svytotal(raked, "enroll", by="cname").to_frame()["se"].to_numpy()
    assert got == pytest.approx(np.sqrt(np.diag(vcov(raked, dense))), rel=1e-9)


def test_missing_values_keep_the_design(dclus2):
    """enroll has 6 missing values: dropped per variable, PSUs kept (n, not df, changes)."""
    from analysis import svytotal
    e = svytotal(dclus2, "enroll")[0]
    assert e.n == 120 and e.df == 39


def svy_sample(name: str, **design) -> svy.Sample:
    data = pl.read_csv(API / f"{name}.csv", null_values=["", "NA"])
    return svy.Sample(data, svy.Design(**design))


@pytest.mark.parametrize("name, ours, theirs", [
    ("apistrat", dict(weights="pw", strata="stype", fpc="fpc"), dict(stratum="stype", wgt="pw", pop_size="fpc")),
    ("apiclus1", dict(weights="pw", clusters="dnum", fpc="fpc"), dict(psu="dnum", wgt="pw", pop_size="fpc")),
])
def test_means_and_proportions_by_domain_match_svy(name, ours, theirs):
    design = SurveyDesign(pd.read_csv(API / f"{name}.csv"), **ours)
    sample = svy_sample(name, **theirs)
    mine = svymean(design, "api00", by="awards").to_frame()
    other = sample.estimation.mean("api00", by="awards").to_polars().to_pandas()
    assert mine["estimate"].to_numpy() == pytest.approx(other["est"].to_numpy(), rel=1e-9)
    assert mine["se"].to_numpy() == pytest.approx(other["se"].to_numpy(), rel=1e-9)
    mine = svyprop(design, "stype", by="awards").to_frame()
    other = sample.estimation.prop("stype", by="awards").to_polars().to_pandas()
    other = other.sort_values(["awards", "stype"])
    assert mine["estimate"].to_numpy() == pytest.approx(other["est"].to_numpy(), rel=1e-9)
    assert mine["se"].to_numpy() == pytest.approx(other["se"].to_numpy(), rel=1e-9)
