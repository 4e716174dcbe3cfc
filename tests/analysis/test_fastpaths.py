"""Fast paths against their reference paths on a raked design with collinear margins.

The margins ``prov_sex`` and ``prov_age`` both sum to the province totals, so
the calibration Gram matrix is singular (its generalised inverse drops the
null space).  The histogram path of :func:`satisfaction_scores` and the pair
quadratic form of :func:`var_by_domain` must agree with the block path and the
dense residual path (:func:`vcov`) to rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, rake, satisfaction_scores, satisfaction_scores_by, trim, vcov
from analysis.linearize import var_by_domain
from analysis.satisfaction import _generic_scores, _Setup
from analysis.estimators import domains

FW = {"factors": {"F1": ["q1", "q2", "q3"], "F2": ["q4", "q5"]}, "aggregation": "mean_of_criteria"}


def frame(n: int = 2400, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    commune = np.sort(rng.integers(0, 40, n))
    data = {"province": commune // 10, "commune": commune, "village": commune * 6 + rng.integers(0, 6, n),
            "sex": rng.integers(0, 2, n), "age": rng.integers(0, 3, n), "w0": 20 + 30 * rng.random(n),
            "region": np.where(rng.random(n) < 0.05, None, (commune % 3).astype(str))}
    latent = rng.normal(0, 1, n)
    for j in range(5):
        q = np.clip(np.round(3.3 + latent + rng.normal(0, 1, n)), 1, 5).astype(np.int8)
        q[rng.random(n) < 0.05] = 9
        data[f"q{j + 1}"] = q
    out = pd.DataFrame(data)
    out["prov_sex"] = out["province"] * 10 + out["sex"]
    out["prov_age"] = out["province"] * 10 + out["age"]
    return out


def margins() -> dict:
    pop = 1e4 * (1 + np.arange(4))
    return {"prov_sex": {p * 10 + s: pop[p] * sh for p in range(4) for s, sh in enumerate([0.48, 0.52])},
            "prov_age": {p * 10 + a: pop[p] * sh for p in range(4) for a, sh in enumerate([0.3, 0.45, 0.25])}}


@pytest.fixture(scope="module")
def raked():
    design = SurveyDesign(frame(), weights="w0", strata="commune", clusters="village")
    return trim(rake(design, margins()), 0.5, 2.0, by="province", relative=True)


def test_domain_variances_equal_dense_residual_path_with_collinear_margins(raked):
    y = raked.data["q1"].to_numpy(float)
    y = np.where(y > 5, np.nan, (y >= 4) * 1.0)
    dom, labels = domains(raked, "commune")
    w, obs = raked.weights, ~np.isnan(y)
    n_dom = len(labels)
    big_n = np.bincount(dom, w * obs, minlength=n_dom)
    ybar = np.bincount(dom, w * np.where(obs, y, 0), minlength=n_dom) / big_n
    z = np.where(obs, (np.nan_to_num(y) - ybar[dom]) / big_n[dom], 0.0)
    fast = var_by_domain(raked, z[:, None], dom, n_dom)[:, 0]
    dense = np.array([vcov(raked, (z * (dom == d))[:, None])[0, 0] for d in range(n_dom)])
    np.testing.assert_allclose(fast, dense, rtol=1e-12, atol=0)
    # the raking correction matters: the same design without calibration differs
    fixed = var_by_domain(raked.ignoring_calibration(), z[:, None], dom, n_dom)[:, 0]
    assert np.max(np.abs(fixed - dense) / dense) > 1e-3


def same(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 1e-12) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        if a[col].dtype.kind == "f":
            np.testing.assert_allclose(a[col].to_numpy(), b[col].to_numpy(), rtol=rtol, atol=0, err_msg=col)
        else:
            assert (a[col].to_numpy() == b[col].to_numpy()).all(), col


@pytest.mark.parametrize("by", [None, "province", "commune", "region", ["province", "sex"]])
def test_histogram_path_equals_block_path(raked, by):
    fast = satisfaction_scores(raked, FW, by=by).to_frame()
    dom, labels = domains(raked, by)
    slow = _generic_scores(raked, _Setup(raked, FW, (8, 9)), dom, labels, 0.95, "t").to_frame()
    same(fast, slow)


def test_histogram_path_two_stage_design_with_fpc():
    data = frame(1800, seed=3)
    data["fpc1"], data["fpc2"] = 40, 200
    design = SurveyDesign(data, clusters=["commune", "village"], fpc=["fpc1", "fpc2"])
    fast = satisfaction_scores(design, FW, by="region").to_frame()
    dom, labels = domains(design, "region")
    slow = _generic_scores(design, _Setup(design, FW, (8, 9)), dom, labels, 0.95, "t").to_frame()
    same(fast, slow)


def test_several_groupings_equal_separate_calls(raked):
    together = satisfaction_scores_by(raked, FW, ["province", "commune", None])
    for by, res in zip(["province", "commune", None], together):
        same(res.to_frame(), satisfaction_scores(raked, FW, by=by).to_frame())


def test_cached_answer_codes_follow_the_data(raked):
    before = satisfaction_scores(raked, FW).get(statistic="pct_satisfied", variable="q1").estimate
    changed = raked.with_columns({"q1": np.full(raked.n, 5, dtype=np.int8)})
    assert satisfaction_scores(changed, FW).get(statistic="pct_satisfied", variable="q1").estimate == 1.0
    assert satisfaction_scores(raked, FW).get(statistic="pct_satisfied", variable="q1").estimate == before


def test_bit_pattern_counts_equal_column_counts(raked):
    from analysis import satisfaction as sat

    setup = _Setup(raked, FW, (8, 9))
    used = np.hstack([setup.m, setup.m @ setup.v]) != 0
    dom, labels = domains(raked, "commune")
    g = np.where(dom >= 0, dom, len(labels))
    n, big_n = sat._combined_counts_bits(setup.answers, used, raked, g, len(labels))
    ref = sat._combined_counts(setup.answers, [used.astype(float)], raked, g, len(labels))[0]
    np.testing.assert_array_equal(n, ref["n"])
    np.testing.assert_allclose(big_n, ref["N"], rtol=1e-13)
