"""Weighting: raking errors, trimming, calibration, non-response, diagnostics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (CalibrationError, SurveyDesign, base_weights, calibrate, diagnostics, nonresponse_adjust,
                      poststratify, rake, svytotal, trim, trim_weights, weight_summary)

STYPE = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


def test_rake_hits_every_margin(dclus1):
    raked = rake(dclus1, {"stype": STYPE, "sch.wide": SCHWIDE}, tol=1e-12)
    table = diagnostics(raked, {"stype": STYPE, "sch.wide": SCHWIDE})["margins"]
    assert np.abs(table["difference"]).max() < 1e-6
    assert list(table["level"]) == ["E", "H", "M", "No", "Yes"]


def test_rake_inconsistent_margins_do_not_converge(dclus1):
    with pytest.raises(CalibrationError, match="did not converge.*margin 'sch.wide'|did not converge.*margin 'stype'"):
        rake(dclus1, {"stype": STYPE, "sch.wide": {"No": 1072, "Yes": 9999}}, max_iter=20)


def test_rake_empty_cell_and_unknown_level(dclus1):
    with pytest.raises(CalibrationError, match="margin 'stype': level 'X' has no respondents"):
        rake(dclus1, {"stype": dict(STYPE, X=10)})
    with pytest.raises(CalibrationError, match="margin 'stype': level 'M' in the data has no population total"):
        rake(dclus1, {"stype": {"E": 4421, "H": 755}})


def test_rake_zero_weight_cell(apiclus1):
    frame = apiclus1.assign(w=np.where(apiclus1["stype"] == "H", 0.0, apiclus1["pw"]))
    design = SurveyDesign(frame, weights="w", clusters="dnum", fpc="fpc")
    with pytest.raises(CalibrationError, match="margin 'stype': level 'H' has zero weight"):
        rake(design, {"stype": STYPE})


def test_linear_calibration_on_one_factor_equals_poststratification(dclus1):
    cal = calibrate(dclus1, {"stype": STYPE})
    post = poststratify(dclus1, "stype", STYPE)
    np.testing.assert_allclose(cal.weights, post.weights, rtol=1e-12)
    assert svytotal(cal, "enroll")[0].se == pytest.approx(svytotal(post, "enroll")[0].se, rel=1e-10)


def test_linear_calibration_with_a_continuous_total(dclus1, apiclus1):
    cal = calibrate(dclus1, {"stype": STYPE}, totals={"api99": 3_914_069})
    assert (cal.weights * apiclus1["api99"]).sum() == pytest.approx(3_914_069)
    # calibrating on api99 shrinks the SE of the correlated api00 total
    assert svytotal(cal, "api00")[0].se < svytotal(poststratify(dclus1, "stype", STYPE), "api00")[0].se


def test_trimming_keeps_totals_and_bounds():
    w = np.array([1.0, 1.0, 1.0, 1.0, 16.0, 2.0, 2.0, 2.0, 20.0])
    groups = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    out = trim_weights(w, 0.5, 8.0, groups)
    assert out.max() <= 8.0 + 1e-12 and out.min() >= 0.5
    assert out[:5].sum() == pytest.approx(20.0) and out[5:].sum() == pytest.approx(26.0)
    # group 0: 16 -> 8, excess 8 spread over four weights of 1 -> 3 each
    np.testing.assert_allclose(out[:5], [3, 3, 3, 3, 8])
    np.testing.assert_allclose(out[5:], [6, 6, 6, 8])
    with pytest.raises(CalibrationError, match="cannot keep the weight total"):
        trim_weights(w, 0.5, 5.0, groups)  # group 1: 4 x 5 < 26


def test_trimming_iterates_until_in_bounds():
    w = np.array([1.0, 1.0, 6.0, 10.0])
    out = trim_weights(w, 0.1, 5.0)
    # 10 -> 5 and 6 -> 5 after redistribution pushes 6 over; total 18 kept
    assert out.sum() == pytest.approx(18.0) and out.max() == pytest.approx(5.0)
    np.testing.assert_allclose(out, [4, 4, 5, 5])


def test_trim_relative_to_group_median(dclus1):
    trimmed = trim(dclus1, 0.5, 1.5, relative=True)
    assert trimmed.weights.sum() == pytest.approx(dclus1.weights.sum())


def test_weight_summary_and_kish():
    s = weight_summary(np.array([1.0, 1.0, 2.0, 4.0]))
    assert s["kish_weighting_effect"] == pytest.approx(4 * 22 / 64)
    assert s["effective_sample_size"] == pytest.approx(64 / 22)
    assert s["ratio_max_min"] == 4.0


def test_base_weights_and_nonresponse():
    assert base_weights([0.5, 0.25]).tolist() == [2.0, 4.0]
    with pytest.raises(CalibrationError):
        base_weights([0.0, 0.5])
    out = nonresponse_adjust(np.array([1.0, 1.0, 2.0, 2.0]), np.array([1, 0, 1, 1]), np.array(["a", "a", "b", "b"]))
    np.testing.assert_allclose(out, [2.0, 0.0, 2.0, 2.0])
    with pytest.raises(CalibrationError, match="class 'b' has no respondents"):
        nonresponse_adjust(np.ones(4), np.array([1, 1, 0, 0]), np.array(["a", "a", "b", "b"]))
