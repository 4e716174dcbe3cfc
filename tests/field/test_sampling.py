"""Sample size and draws: the formulas by hand and the inclusion probabilities by simulation."""
import random
from collections import Counter

import pytest

from survey_app.sampling import (design_adjusted_size, pps_systematic, simple_random, stratified,
                                 systematic, yamane_size)


def test_yamane_by_hand():
    assert yamane_size(10_000, 0.05) == 385  # 10000 / (1 + 25) = 384.6
    assert yamane_size(100, 0.05) == 80  # 100 / 1.25
    with pytest.raises(ValueError):
        yamane_size(0, 0.05)


def test_design_effect_and_response_rate():
    assert design_adjusted_size(10_000, 0.05, deff=2.0, response_rate=0.8) == {
        "srs": 385, "interviews": 770, "issued": 963}
    assert design_adjusted_size(100, 0.05, deff=3.0)["interviews"] == 100


def test_srs_and_systematic_take_n_distinct_units_with_probability_n_over_N():
    rng = random.Random(1)
    frame = list(range(103))
    for draw in (simple_random, systematic):
        chosen = draw(frame, 10, rng)
        assert len({u for u, _ in chosen}) == 10
        assert all(p == pytest.approx(10 / 103) for _, p in chosen)


def test_pps_inclusion_probabilities_match_sizes():
    sizes = {"a": 500, "b": 100, "c": 100, "d": 200, "e": 100}
    rng, runs, hits = random.Random(7), 4000, Counter()
    frame = list(sizes)
    for _ in range(runs):
        chosen = pps_systematic(frame, 2, sizes.get, rng)
        assert len(chosen) == 2
        hits.update(u for u, _ in chosen)
    chosen = dict(pps_systematic(frame, 2, sizes.get, rng))
    assert chosen.get("a") == 1.0  # 2 × 500 ≥ 1000: taken with certainty
    assert hits["a"] == runs
    assert hits["d"] / runs == pytest.approx(200 / 500, abs=0.03)  # the rest: 1 draw among 500


def test_stratified_draws_each_stratum_with_its_size():
    frame = [("x", i) for i in range(20)] + [("y", i) for i in range(5)]
    chosen = stratified(frame, lambda u: u[0], {"x": 4, "y": 2},
                        lambda units, n: simple_random(units, n, random.Random(3)))
    assert Counter(k for k, _, _ in chosen) == {"x": 4, "y": 2}
