"""The documented model the demo's synthetic answers are drawn from, and its true values.

For a unit *u* with satisfaction ``p_u`` and the offset ``o_F`` of criterion *c*'s factor *F*
(``demo_truth.units`` and ``demo_truth.factor_offsets`` in ``questionnaires/demo/province.yaml``, in
percentage points), a person of sex *s* and age group *a* living in village *v* answers "satisfied"
or "very satisfied" (4 or 5) with probability

    P(sat_c ∈ {4, 5}) = logistic( logit(clip(p_u + o_F, 1, 99) / 100) + SEX_EFFECT[s] + AGE_EFFECT[a] + η_v ),

with a village effect η_v ~ N(0, VILLAGE_SD²). A satisfied answer is 5 with probability 0.4, else 4;
an unsatisfied one is 1, 2 or 3 with probabilities 0.15, 0.35, 0.5; any item is "don't know" (9)
with probability ``demo_truth.dont_know_rate``, independently. Respondents are not a proportional sample: women and
older people are more often at home (RESPONSE_PROPENSITY), so unweighted estimates are biased and
weights built from the population by sex and age recover the truth.

The true % satisfied of unit *u* on criterion *c* is the population average of that probability,
over the unit's adult population by sex and age group and over the village effect (Gauss-Hermite
quadrature): :func:`true_pct_satisfied`.
"""
from __future__ import annotations

import numpy as np

from survey_app.survey_analysis.exclusions import AGE_GROUPS, SEX_NAMES

SEXES = tuple(SEX_NAMES.values())
SEX_CODE = {name: code for code, name in SEX_NAMES.items()}
SEX_EFFECT = {"male": -0.25, "female": 0.25}
AGE_EFFECT = {"18_29": -0.45, "30_44": -0.15, "45_59": 0.15, "60_plus": 0.45}
RESPONSE_PROPENSITY = {("male", "18_29"): 0.45, ("male", "30_44"): 0.6, ("male", "45_59"): 0.8,
                       ("male", "60_plus"): 1.0, ("female", "18_29"): 0.6, ("female", "30_44"): 0.8,
                       ("female", "45_59"): 1.0, ("female", "60_plus"): 1.2}
CRITERIA = tuple(f"c{i:02d}" for i in range(1, 23))
FACTOR_SIZES = {"F1": 4, "F2": 5, "F3": 6, "F4": 3, "F5": 4}
FACTOR_OF = dict(zip(CRITERIA, [f for f, n in FACTOR_SIZES.items() for _ in range(n)]))
VILLAGE_SD = 0.3
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(40)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def criterion_pct(base_pct: float, criterion: str, offsets: dict[str, float]) -> float:
    return min(99.0, max(1.0, base_pct + offsets.get(FACTOR_OF[criterion], 0.0)))


def linear_predictor(base_pct: float, sex: str, age_group: str, criterion: str,
                     offsets: dict[str, float]) -> float:
    return (logit(criterion_pct(base_pct, criterion, offsets) / 100)
            + SEX_EFFECT[sex] + AGE_EFFECT[age_group])


def expected_satisfied(eta: float) -> float:
    """E over the village effect of logistic(eta + η), η ~ N(0, VILLAGE_SD²)."""
    return float(np.sum(_WEIGHTS / (1 + np.exp(-(eta + VILLAGE_SD * _NODES)))))


def true_pct_satisfied(base_pct: float, population: dict[tuple[str, str], float],
                       criterion: str, offsets: dict[str, float]) -> float:
    """The unit's true % satisfied on ``criterion`` (0-100), averaged over its adult population."""
    total = sum(population.values())
    return 100 * sum(n / total * expected_satisfied(linear_predictor(base_pct, s, a, criterion, offsets))
                     for (s, a), n in population.items())


def draw_respondent_group(rng: np.random.Generator, population: dict[tuple[str, str], float]):
    groups = list(population)
    weights = np.array([population[g] * RESPONSE_PROPENSITY[g] for g in groups])
    return groups[rng.choice(len(groups), p=weights / weights.sum())]


def draw_item(rng: np.random.Generator, probability: float, dont_know: float) -> str:
    if rng.random() < dont_know:
        return "9"
    if rng.random() < probability:
        return "5" if rng.random() < 0.4 else "4"
    return str(rng.choice([1, 2, 3], p=[0.15, 0.35, 0.5]))


def draw_satisfaction(rng: np.random.Generator, base_pct: float, group: tuple[str, str],
                      village_effect: float, truth: dict) -> dict[str, str]:
    """One respondent's 22 satisfaction answers ``sat_c01``..``sat_c22``.

    ``truth`` is the ``demo_truth`` block (its ``factor_offsets`` and ``dont_know_rate``).
    """
    sex, age_group = group
    offsets, dont_know = truth["factor_offsets"], truth["dont_know_rate"]
    answers = {}
    for criterion in CRITERIA:
        eta = linear_predictor(base_pct, sex, age_group, criterion, offsets) + village_effect
        answers[f"sat_{criterion}"] = draw_item(rng, 1 / (1 + np.exp(-eta)), dont_know)
    return answers
