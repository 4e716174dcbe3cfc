"""The documented model the demo's synthetic answers are drawn from, and its true values.

For a unit *u* with base satisfaction ``p_u`` (``demo_truth`` in ``questionnaires/demo/province.yaml``),
a person of sex *s* and age group *a* living in village *v*, and criterion *c*, the probability of
answering "satisfied" or "very satisfied" (4 or 5) is

    P(sat_c ∈ {4, 5}) = logistic( logit(p_u) + SEX_EFFECT[s] + AGE_EFFECT[a] + CRITERION_EFFECT[c] + η_v ),

with a village effect η_v ~ N(0, VILLAGE_SD²). A satisfied answer is 5 with probability 0.4, else 4;
an unsatisfied one is 1, 2 or 3 with probabilities 0.15, 0.35, 0.5; any item is "don't know" (9)
with probability DONT_KNOW, independently. Respondents are not a proportional sample: women and
older people are more often at home (RESPONSE_PROPENSITY), so unweighted estimates are biased and
weights built from the population by sex and age recover the truth.

The true % satisfied of unit *u* on criterion *c* is the population average of that probability,
over the unit's adult population by sex and age group and over the village effect (Gauss-Hermite
quadrature): :func:`true_pct_satisfied`.
"""
from __future__ import annotations

import numpy as np

SEXES = ("male", "female")
AGE_GROUPS = ("18_29", "30_44", "45_59", "60_plus")
SEX_CODE = {"male": "1", "female": "2"}
SEX_EFFECT = {"male": -0.25, "female": 0.25}
AGE_EFFECT = {"18_29": -0.45, "30_44": -0.15, "45_59": 0.15, "60_plus": 0.45}
RESPONSE_PROPENSITY = {("male", "18_29"): 0.45, ("male", "30_44"): 0.6, ("male", "45_59"): 0.8,
                       ("male", "60_plus"): 1.0, ("female", "18_29"): 0.6, ("female", "30_44"): 0.8,
                       ("female", "45_59"): 1.0, ("female", "60_plus"): 1.2}
CRITERIA = tuple(f"c{i:02d}" for i in range(1, 23))
CRITERION_EFFECT = dict(zip(CRITERIA, np.linspace(-0.35, 0.35, len(CRITERIA)).round(4)))
VILLAGE_SD = 0.3
DONT_KNOW = 0.03
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(40)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def linear_predictor(base_pct: float, sex: str, age_group: str, criterion: str) -> float:
    return logit(base_pct / 100) + SEX_EFFECT[sex] + AGE_EFFECT[age_group] + CRITERION_EFFECT[criterion]


def expected_satisfied(eta: float) -> float:
    """E over the village effect of logistic(eta + η), η ~ N(0, VILLAGE_SD²)."""
    return float(np.sum(_WEIGHTS / (1 + np.exp(-(eta + VILLAGE_SD * _NODES)))))


def true_pct_satisfied(base_pct: float, population: dict[tuple[str, str], float],
                       criterion: str) -> float:
    """The unit's true % satisfied on ``criterion`` (0-100), averaged over its adult population."""
    total = sum(population.values())
    share = {g: n / total for g, n in population.items()}
    return 100 * sum(share[(s, a)] * expected_satisfied(linear_predictor(base_pct, s, a, criterion))
                     for s, a in population)


def draw_respondent_group(rng: np.random.Generator, population: dict[tuple[str, str], float]):
    groups = list(population)
    weights = np.array([population[g] * RESPONSE_PROPENSITY[g] for g in groups])
    return groups[rng.choice(len(groups), p=weights / weights.sum())]


def draw_item(rng: np.random.Generator, probability: float) -> str:
    if rng.random() < DONT_KNOW:
        return "9"
    if rng.random() < probability:
        return "5" if rng.random() < 0.4 else "4"
    return str(rng.choice([1, 2, 3], p=[0.15, 0.35, 0.5]))


def draw_satisfaction(rng: np.random.Generator, base_pct: float, group: tuple[str, str],
                      village_effect: float) -> dict[str, str]:
    """One respondent's 22 satisfaction answers ``sat_c01``..``sat_c22``."""
    sex, age_group = group
    answers = {}
    for criterion in CRITERIA:
        eta = linear_predictor(base_pct, sex, age_group, criterion) + village_effect
        answers[f"sat_{criterion}"] = draw_item(rng, 1 / (1 + np.exp(-eta)))
    return answers
