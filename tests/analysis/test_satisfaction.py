"""SIPAS scoring on a crafted dataset with hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (EstimationError, SurveyDesign, SurveyError, cronbach_alpha, key_drivers, satisfaction_scores,
                      score_gap, vcov)

FRAME = pd.DataFrame({"w": [1, 2, 1, 1, 2, 1], "c1": [5, 4, 3, 9, 1, 5], "c2": [4, 2, 8, 5, 5, 3],
                      "c3": [1, 5, 4, 4, 2, 3], "g": list("aabbab")})
FW = {"factors": {"F1": ["c1", "c2"], "F2": ["c3"]}, "aggregation": "mean_of_criteria"}


@pytest.fixture()
def design():
    return SurveyDesign(FRAME, weights="w")


def value(res, stat, var, domain=None):
    return res.get(statistic=stat, variable=var, domain=domain)


def test_mean_of_criteria_by_hand(design):
    res = satisfaction_scores(design, FW)
    # c1: 9 is missing; satisfied rows 0,1,5 -> (1+2+1)/7; c2: 8 missing -> rows 0,3,4 -> 4/7; c3: 4/8
    assert value(res, "pct_satisfied", "c1").estimate == pytest.approx(4 / 7)
    assert value(res, "pct_satisfied", "c2").estimate == pytest.approx(4 / 7)
    assert value(res, "pct_satisfied", "c3").estimate == pytest.approx(0.5)
    assert value(res, "pct_satisfied", "F1").estimate == pytest.approx(4 / 7)
    assert value(res, "pct_satisfied", "overall").estimate == pytest.approx((4 / 7 + 0.5) / 2)
    assert value(res, "mean_score", "c1").estimate == pytest.approx(23 / 7)
    assert value(res, "pct_satisfied", "c1").n == 5


def test_factor_se_uses_summed_influence(design):
    res = satisfaction_scores(design, FW)
    w = FRAME["w"].to_numpy(float)
    def infl(col, code_missing):
        y = FRAME[col].to_numpy(float)
        obs = ~np.isin(y, code_missing)
        s = (y >= 4) * 1.0
        p = (w * s * obs).sum() / (w * obs).sum()
        return np.where(obs, (s - p) / (w * obs).sum(), 0.0)
    z = (infl("c1", [8, 9]) + infl("c2", [8, 9])) / 2
    x = w * z  # each row is its own PSU, with replacement: n/(n-1) sum (x - xbar)^2
    expected = np.sqrt(6 / 5 * ((x - x.mean()) ** 2).sum())
    assert value(res, "pct_satisfied", "F1").se == pytest.approx(expected, rel=1e-12)
    assert vcov(design, z[:, None])[0, 0] == pytest.approx(expected**2, rel=1e-12)
    # ignoring the covariance between c1 and c2 would give a different SE
    naive = np.sqrt((value(res, "pct_satisfied", "c1").se ** 2 + value(res, "pct_satisfied", "c2").se ** 2) / 4)
    assert abs(naive - expected) > 1e-3


def test_pooled_rule_by_hand(design):
    res = satisfaction_scores(design, dict(FW, aggregation="pooled"))
    # F1 index: 4.5, 3, 3, 5, 3, 4 -> satisfied rows 0,3,5 -> 3/8; mean index 28.5/8
    assert value(res, "pct_satisfied", "F1").estimate == pytest.approx(3 / 8)
    assert value(res, "mean_score", "F1").estimate == pytest.approx(28.5 / 8)
    # overall index: 3.33, 3.67, 3.5, 4.5, 2.67, 3.67 -> only row 3 -> 1/8
    assert value(res, "pct_satisfied", "overall").estimate == pytest.approx(1 / 8)


def test_domains_and_missing_codes(design):
    res = satisfaction_scores(design, FW, by="g")
    assert value(res, "pct_satisfied", "c1", "a").estimate == pytest.approx(3 / 5)
    frame = FRAME.replace({9: 0, 8: 0})
    res0 = satisfaction_scores(SurveyDesign(frame, weights="w"), FW, missing_codes=(0,))
    assert value(res0, "pct_satisfied", "c1").estimate == pytest.approx(4 / 7)
    with pytest.raises(EstimationError, match="item 'c1' has value 9"):
        satisfaction_scores(design, FW, missing_codes=(0,))


def test_unknown_rule_rejected(design):
    with pytest.raises(SurveyError, match="unknown aggregation='median'"):
        satisfaction_scores(design, dict(FW, aggregation="median"))


def test_gap(design):
    gap = score_gap(design, "c1", "c2")[0]
    assert gap.estimate == pytest.approx(23 / 7 - 26 / 7)


def test_cronbach_alpha_by_hand():
    frame = pd.DataFrame({"w": [1.0, 1.0, 2.0, 1.0], "a": [1, 2, 4, 5], "b": [2, 2, 5, 4], "c": [1, 3, 4, 5]})
    items = frame[["a", "b", "c"]].to_numpy(float)
    w = frame["w"].to_numpy() / frame["w"].sum()
    var = lambda v: (w * (v - (w * v).sum()) ** 2).sum()  # noqa: E731
    expected = 3 / 2 * (1 - sum(var(items[:, j]) for j in range(3)) / var(items.sum(1)))
    got = cronbach_alpha(SurveyDesign(frame, weights="w"), ["a", "b", "c"])
    assert got == pytest.approx(expected, rel=1e-12)
    assert 0.8 < got < 1


def test_key_drivers_runs_both_families():
    rng = np.random.default_rng(5)
    n = 400
    f = rng.integers(1, 6, (n, 3))
    overall = np.clip(np.round(0.5 * f[:, 0] + 0.4 * f[:, 1] + rng.normal(0.3, 0.7, n)), 1, 5)
    frame = pd.DataFrame({"w": rng.uniform(1, 2, n), "psu": np.arange(n) // 4, "a": f[:, 0], "b": f[:, 1],
                          "c": f[:, 2], "overall": overall})
    d = SurveyDesign(frame, weights="w", clusters="psu")
    fw = {"factors": {"A": ["a"], "B": ["b"], "C": ["c"]}}
    lin = key_drivers(d, fw, "overall").table()
    assert list(lin["term"]) == ["(Intercept)", "A", "B", "C"]
    assert lin["estimate"][1] > 0.3 and abs(lin["estimate"][3]) < 0.15 and lin["df"][0] == 99 - 3
    logit = key_drivers(d, fw, "overall", family="binomial").table()
    assert logit["estimate"][1] > 0
