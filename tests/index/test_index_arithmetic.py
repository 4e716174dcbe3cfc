"""The index arithmetic without a database: conversion, caps, rescaling, classes, ties, intervals."""
import numpy as np
import pytest

from survey_app.index.compute import compute_unit, grade
from survey_app.index.conversion import (ConversionError, Indicator, draw_percent, points_of,
                                         points_se, variable_name)
from survey_app.index.model import LeafInput, UnitInput
from survey_app.index.planner import TargetError, losses, plan
from survey_app.index.ranking import competition_ranks, rank_all

CLASSES = [{"code": "A", "min_percent": 90}, {"code": "B", "min_percent": 80},
           {"code": "C", "min_percent": 70}, {"code": "D", "min_percent": 0}]
PROPORTIONAL = {"questionnaire": "sipas_citizen", "indicator": "pct_satisfied", "factor": "F1",
                "conversion": "proportional"}
THRESHOLDS = {"questionnaire": "sipas_citizen", "indicator": "pct_satisfied", "item": "x",
              "conversion": "thresholds",
              "thresholds": [{"min": 90, "points": 4}, {"min": 80, "points": 3}, {"min": 0, "points": 0}]}


def leaf(code, method, maximum, points, field="1", source="appraised"):
    return LeafInput(code=code, field_code=field, method=method, max_points=maximum,
                     points=points, source=source)


def survey_leaf(code, maximum, estimate, se, field="8", survey=PROPORTIONAL):
    indicator = Indicator("pct_satisfied", "F1", estimate, se, 100)
    return LeafInput(code=code, field_code=field, method="survey", max_points=maximum,
                     points=points_of(survey, maximum, indicator.percent), source="survey",
                     survey=survey, indicator=indicator,
                     points_se=points_se(survey, maximum, indicator))


def unit(code, leaves, level="commune", maximum=100.0, rescale_to=None):
    return UnitInput(code=code, name=code, level=level, max_points=maximum, leaves=leaves,
                     fields=[("1", "One", 70.0), ("8", "Eight", 30.0)], rescale_to=rescale_to)


def test_proportional_conversion_keeps_the_standard_error():
    indicator = Indicator("pct_satisfied", "F1", 0.85, 0.04, 200)
    assert points_of(PROPORTIONAL, 3.0, indicator.percent) == pytest.approx(2.55)
    assert points_se(PROPORTIONAL, 3.0, indicator) == pytest.approx(0.12)


def test_mean_score_is_put_on_the_percent_scale():
    indicator = Indicator("mean_score", "rating_overall", 4.0, 0.2, 50)
    assert indicator.percent == pytest.approx(75.0)
    survey = dict(PROPORTIONAL, indicator="mean_score")
    assert points_of(survey, 3.0, indicator.percent) == pytest.approx(2.25)
    assert points_se(survey, 3.0, indicator) == pytest.approx(3.0 * 0.2 * 25 / 100)


def test_thresholds_take_the_first_band_reached_and_a_normal_based_se():
    assert points_of(THRESHOLDS, 4.0, 90.0) == 4.0
    assert points_of(THRESHOLDS, 4.0, 89.99) == 3.0
    assert points_of(THRESHOLDS, 4.0, 12.0) == 0.0
    far = Indicator("pct_satisfied", "x", 0.95, 0.001, 100)
    assert points_se(THRESHOLDS, 4.0, far) == pytest.approx(0.0, abs=1e-6)
    edge = Indicator("pct_satisfied", "x", 0.90, 0.02, 100)  # half the mass either side of 90%
    assert points_se(THRESHOLDS, 4.0, edge) == pytest.approx(0.5, abs=0.01)


def test_bad_survey_blocks_are_refused_by_name():
    with pytest.raises(ConversionError, match="exactly one"):
        variable_name({"factor": "F1", "item": "x"})
    with pytest.raises(ConversionError, match="unknown conversion"):
        points_of(dict(PROPORTIONAL, conversion="log"), 1.0, 50.0)
    assert variable_name({"criterion": "c09"}) == "sat_c09"


def test_share_draws_stay_inside_the_scale():
    draws = draw_percent(Indicator("pct_satisfied", "F1", 0.99, 0.05, 30), np.random.default_rng(1), 5000)
    assert draws.min() > 0 and draws.max() < 100


def test_bonus_and_penalty_are_capped_and_the_total_is_capped_at_the_maximum():
    leaves = [leaf("1.1", "self_assessed", 70.0, 69.0), leaf("8.1", "self_assessed", 30.0, 30.0),
              leaf("1.9", "bonus", 1.0, 5.0), leaf("1.8", "penalty", 1.0, 3.0)]
    result = compute_unit(unit("u", leaves))
    assert (result.bonus, result.penalty) == (1.0, 1.0)  # each within its own cap
    assert result.total == 99.0
    leaves[3].points = 0.0
    assert compute_unit(unit("u", leaves)).total == 100.0  # 99 + 1 capped at the level maximum
    low = [leaf("1.1", "self_assessed", 70.0, 0.0), leaf("1.8", "penalty", 1.0, 1.0)]
    assert compute_unit(unit("u", low)).total == 0.0  # floored at 0


def test_no_survey_campaign_rescales_the_appraised_points_to_100():
    leaves = [leaf("1.1", "self_assessed", 40.0, 30.0), leaf("1.2", "self_assessed", 30.0, 26.0),
              LeafInput(code="8.1", field_code="8", method="survey", max_points=30.0,
                        source="no_survey_result", survey=PROPORTIONAL),
              leaf("1.9", "bonus", 0.5, 0.5)]
    result = compute_unit(unit("u", leaves, rescale_to=100.0))
    assert result.rescaled and result.max_points == 100.0
    assert result.total == pytest.approx(56.0 * 100 / 70 + 0.5)
    assert result.pending_survey_points == 0.0
    plain = compute_unit(unit("u", leaves))
    assert plain.total == pytest.approx(56.5) and plain.pending_survey_points == 30.0


@pytest.mark.parametrize("percent, expected", [(90.0, "A"), (89.9999, "A"), (89.99, "B"), (80.0, "B"),
                                               (79.5, "C"), (70.0, "C"), (69.99, "D"), (0.0, "D")])
def test_class_thresholds(percent, expected):
    assert grade(percent, CLASSES) == expected


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    assert competition_ranks([80.0, 75.004, 75.0, 70.0]).tolist() == [1, 2, 2, 4]
    results = [compute_unit(unit(c, [leaf("1.1", "self_assessed", 70.0, p)]))
               for c, p in (("a", 60.0), ("b", 65.0), ("c", 65.0), ("d", 50.0))]
    ranked = rank_all(results, CLASSES, draws=200)
    assert [(r.code, r.rank) for r in ranked] == [("b", 1), ("c", 1), ("a", 3), ("d", 4)]


def _pair(gap: float, se: float):
    base = [leaf("1.1", "self_assessed", 70.0, 60.0)]
    one = compute_unit(unit("one", base + [survey_leaf("8.1", 30.0, 0.80, se)]))
    two = compute_unit(unit("two", base + [survey_leaf("8.1", 30.0, 0.80 + gap, se)]))
    third = compute_unit(unit("three", [leaf("1.1", "self_assessed", 70.0, 20.0)]))
    return {r.code: r for r in rank_all([one, two, third], CLASSES, draws=2000)}


def test_rank_intervals_overlap_when_the_difference_is_far_below_the_standard_errors():
    ranked = _pair(gap=0.005, se=0.05)
    assert ranked["two"].rank == 1 and ranked["one"].rank == 2
    assert (ranked["one"].rank_low, ranked["one"].rank_high) == (1, 2)
    assert (ranked["two"].rank_low, ranked["two"].rank_high) == (1, 2)
    assert ranked["one"].ci_high > ranked["two"].ci_low
    assert ranked["one"].se == pytest.approx(30 * 0.05)


def test_rank_intervals_separate_when_the_difference_is_far_above_the_standard_errors():
    ranked = _pair(gap=0.15, se=0.01)
    assert (ranked["two"].rank_low, ranked["two"].rank_high) == (1, 1)
    assert (ranked["one"].rank_low, ranked["one"].rank_high) == (2, 2)
    assert ranked["one"].ci_high < ranked["two"].ci_low
    assert (ranked["three"].rank_low, ranked["three"].rank_high) == (3, 3)


def test_planner_sorts_losses_and_prices_each_kind_of_target():
    pending = LeafInput(code="8.2", field_code="8", method="survey", max_points=5.0,
                        source="no_survey_result", survey=PROPORTIONAL)
    leaves = [leaf("1.1", "self_assessed", 40.0, 30.0), leaf("1.2", "self_assessed", 25.0, 23.0),
              survey_leaf("8.1", 30.0, 0.80, 0.02), pending, leaf("1.8", "penalty", 1.0, 0.5)]
    me = compute_unit(unit("me", leaves))
    rival = compute_unit(unit("rival", [leaf("1.1", "self_assessed", 70.0, 70.0),
                                        survey_leaf("8.1", 30.0, 0.9, 0.02)]))
    ranked = rank_all([me, rival], CLASSES, draws=200)
    found, waiting = losses(me)
    assert [(x.code, x.lost) for x in found] == [("1.1", 10.0), ("8.1", pytest.approx(6.0)),
                                                  ("1.2", 2.0), ("1.8", 0.5)]
    assert [x.code for x in waiting] == ["8.2"]
    assert me.total == pytest.approx(76.5)
    assert plan(me, ranked, CLASSES, "percent", "80")["needed"] == pytest.approx(3.5)
    to_a = plan(me, ranked, CLASSES, "grade", "A")
    assert to_a["needed"] == pytest.approx(13.5) and to_a["reachable"]
    assert to_a["pending_survey_points"] == 5.0
    to_first = plan(me, ranked, CLASSES, "rank", "1")
    assert to_first["needed"] == pytest.approx(97.0 - 76.5) and not to_first["reachable"]
    assert plan(me, ranked, CLASSES, "rank", "2")["needed"] == 0.0
    for kind, value in (("grade", "Z"), ("rank", "9"), ("percent", "abc"), ("percent", "120")):
        with pytest.raises(TargetError):
            plan(me, ranked, CLASSES, kind, value)


def test_a_field_adds_its_bonus_and_subtracts_its_penalty_within_their_caps():
    result = compute_unit(unit("U", [leaf("1.1", "self_assessed", 8.5, 8.25), leaf("1.2", "bonus", 0.5, 0.5),
                                     leaf("1.3", "penalty", 0.5, 0.75), leaf("8.1", "self_assessed", 30.0, 20.0,
                                                                             field="8")]))
    assert result.field_points == {"1": pytest.approx(8.25), "8": pytest.approx(20.0)}  # 8,25 + 0,5 − 0,5 (cap)
    assert result.total == pytest.approx(sum(result.field_points.values()))
    assert (result.bonus, result.penalty) == (0.5, 0.5)
