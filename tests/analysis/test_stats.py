"""Intervals, quantiles, domain differences, Rao-Scott chi-square, regression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
import svy
from scipy import stats

from analysis import (SurveyDesign, SurveyError, domain_difference, svychisq, svyglm, svymean, svyprop, svyquantile,
                      svyttest)
from analysis.intervals import interval

from api_support import API


def test_logit_interval_by_hand(dclus1):
    e = svyprop(dclus1, "sch.wide")[1]
    c = stats.t.ppf(0.975, 14)
    lo = np.log(e.estimate / (1 - e.estimate)) - c * e.se / (e.estimate * (1 - e.estimate))
    assert e.ci_low == pytest.approx(1 / (1 + np.exp(-lo)), rel=1e-12)
    assert e.ci_low < e.estimate < e.ci_high < 1


def test_korn_graubard_by_hand():
    p, se, n, df = 0.1, 0.03, 120, 14
    n_eff = p * (1 - p) / se**2 * (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2
    lo, hi = interval("korn-graubard", np.array([p]), np.array([se]), np.array([df]), n=np.array([n]))
    assert lo[0] == pytest.approx(stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1), rel=1e-12)
    assert hi[0] == pytest.approx(stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)), rel=1e-12)
    lo0, hi0 = interval("korn-graubard", np.array([0.0]), np.array([0.0]), np.array([df]), n=np.array([n]))
    assert lo0[0] == 0.0 and 0 < hi0[0] < 0.1


def test_unknown_ci_method_is_rejected_by_name(dclus1):
    with pytest.raises(SurveyError, match="unknown ci_method='wilson'"):
        svyprop(dclus1, "stype", ci_method="wilson")


def test_normal_intervals_on_request(dstrat):
    e = svymean(dstrat, "api00", ci="normal")[0]
    assert e.ci_high - e.estimate == pytest.approx(stats.norm.ppf(0.975) * e.se)


def test_median_matches_r_and_svy(dclus1):
    """R: svyquantile(~api00, dclus1, 0.5): 652, CI 561-714 (svy gives the same)."""
    e = svyquantile(dclus1, "api00", [0.5])[0]
    assert (e.estimate, e.ci_low, e.ci_high) == (652.0, 561.0, 714.0)
    assert e.se == pytest.approx((714 - 561) / (2 * stats.t.ppf(0.975, 14)))


def test_domain_difference_and_ttest(dclus1):
    d = domain_difference(dclus1, "api00", "sch.wide", "Yes", "No")
    by = svymean(dclus1, "api00", by="sch.wide").to_frame()
    assert d.estimate == pytest.approx(by["estimate"][1] - by["estimate"][0])
    assert d.covariance != 0  # domains share PSUs
    t = svyttest(dclus1, "api00", "sch.wide")
    assert (t.estimate, t.df) == (pytest.approx(41.319021739), 13.0)
    assert t.t == pytest.approx(2.108989847792933, rel=1e-9)  # svy 0.35 categorical.ttest


def rao_scott_by_hand(frame: pd.DataFrame) -> tuple[float, float]:
    """Independent Rao-Scott first/second-order check via cluster totals (Rao & Scott 1984).

    Cell proportions, their cluster-level covariance, and the generalised design
    effects as eigenvalues of (P_srs)^-1 P_design on the (r-1)(c-1) interaction
    contrasts of the log-linear independence model.
    """
    w, n = frame["pw"].to_numpy(), len(frame)
    cells = pd.crosstab(frame.index, [frame["sch.wide"], frame["stype"]]).to_numpy().astype(float)
    p = (w[:, None] * cells).sum(0) / w.sum()
    z = w[:, None] * (cells - p) / w.sum()
    tot = pd.DataFrame(z).groupby(frame["dnum"].to_numpy()).sum().to_numpy()
    m = len(tot)
    v = (1 - m / 757) * m / (m - 1) * (tot - tot.mean(0)).T @ (tot - tot.mean(0))
    nr, nc = 2, 3
    r, c = np.repeat(np.arange(nr), nc), np.tile(np.arange(nc), nr)
    contr = np.column_stack([((r == 1) - 0.5) * ((c == j) * 1.0 - (c == 0)) for j in (1, 2)])
    contr = contr - contr.mean(0)  # any basis of the interaction space
    x1 = np.column_stack([np.ones(6), r == 1, c == 1, c == 2]).astype(float)
    contr = contr - x1 @ np.linalg.lstsq(x1, contr, rcond=None)[0]
    vsrs = (np.diag(p) - np.outer(p, p)) / n
    dinv = np.diag(1 / p)
    a = contr.T @ dinv @ vsrs @ dinv @ contr
    b = contr.T @ dinv @ v @ dinv @ contr
    delta = np.linalg.eigvals(np.linalg.solve(a, b)).real
    table = p.reshape(nr, nc) * n
    expected = np.outer(table.sum(1), table.sum(0)) / n
    x2 = ((table - expected) ** 2 / expected).sum()
    return x2 / delta.sum(), delta.sum() ** 2 / (delta**2).sum()


def test_rao_scott_against_independent_computation_and_svy(dclus1, apiclus1):
    res = svychisq(dclus1, "sch.wide", "stype")
    f, d0 = rao_scott_by_hand(apiclus1)
    assert res.f == pytest.approx(f, rel=1e-9) and res.ndf == pytest.approx(d0, rel=1e-9)
    assert res.ddf == pytest.approx(14 * d0)
    # svy 0.35: Rao-Scott F(1.4946, 20.925) = 5.1934, p = 0.0217
    assert (res.f, res.ndf, res.p_value) == (pytest.approx(5.193369541474885, rel=1e-9),
                                             pytest.approx(1.4946397777074563, rel=1e-9),
                                             pytest.approx(0.021747462370803383, rel=1e-8))


def test_svyglm_linear_matches_r_published_output(dstrat, apistrat):
    """R: summary(svyglm(api00 ~ ell + meals + mobility, design = dstrat)) (survey's example)."""
    fit = svyglm(dstrat, "api00", ["ell", "meals", "mobility"]).table()
    assert fit["estimate"].round(4).tolist() == [820.8873, -0.4806, -3.1415, 0.2257]
    assert fit["se"].round(4).tolist() == [10.0777, 0.3920, 0.2839, 0.3932]
    assert fit["df"].iloc[0] == 197 + 1 - 4
    wls = sm.WLS(apistrat["api00"], sm.add_constant(apistrat[["ell", "meals", "mobility"]]), weights=apistrat["pw"]).fit()
    np.testing.assert_allclose(fit["estimate"], wls.params.to_numpy(), rtol=1e-10)


def test_svyglm_logistic_matches_statsmodels_and_svy(apiclus1, dclus1):
    """Point estimates against statsmodels; SEs against svy on a one-stage design (svy 0.35's
    glm ignores the second-stage term of a two-stage design with fpc, so dclus2 would differ)."""
    design = dclus1.with_columns({"sw": (apiclus1["sch.wide"] == "Yes").astype(float)})
    fit = svyglm(design, "sw", ["ell", "meals", "mobility"], family="binomial").table()
    glm = sm.GLM(design.data["sw"], sm.add_constant(apiclus1[["ell", "meals", "mobility"]]),
                 family=sm.families.Binomial(), var_weights=design.weights).fit()
    np.testing.assert_allclose(fit["estimate"], glm.params.to_numpy(), rtol=1e-7)
    sample = svy.Sample(pl.from_pandas(design.data), svy.Design(psu="dnum", wgt="pw", pop_size="fpc"))
    other = sample.glm.fit(y="sw", x=["ell", "meals", "mobility"], family="binomial").to_polars().to_pandas()
    np.testing.assert_allclose(fit["estimate"], other["estimate"], rtol=1e-6)
    np.testing.assert_allclose(fit["se"], other["std_err"], rtol=1e-6)
    assert fit["df"].iloc[0] == 14 + 1 - 4


def test_svyglm_two_stage_adds_the_second_stage(dclus2, apiclus2):
    design = dclus2.with_columns({"sw": (apiclus2["sch.wide"] == "Yes").astype(float)})
    one = SurveyDesign(design.data, weights="pw", clusters=["dnum", "snum"], fpc=["fpc1"])
    se2 = svyglm(design, "sw", ["ell"], family="binomial").table()["se"]
    se1 = svyglm(one, "sw", ["ell"], family="binomial").table()["se"]
    assert (se2 > se1).all()
