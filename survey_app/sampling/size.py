"""Sample-size helper.

``yamane_size``: n = N / (1 + N·e²) (Yamane, *Statistics: An Introductory Analysis*, 1967), the
formula in Vietnamese SIPAS guidance, which assumes a proportion of 0.5, 95 % confidence and
simple random sampling. ``design_adjusted_size``: the same for a clustered design, n·deff
(Kish, *Survey Sampling*, 1965, §8.2), divided by the expected response rate so that enough
cases are issued to the field.
"""
from __future__ import annotations

import math


def yamane_size(population: int, margin: float) -> int:
    """n = N / (1 + N·e²), rounded up; ``margin`` e as a fraction (0.05 for 5 %)."""
    if population < 1 or not 0 < margin < 1:
        raise ValueError("population must be ≥ 1 and the margin between 0 and 1")
    return math.ceil(population / (1 + population * margin ** 2))


def design_adjusted_size(population: int, margin: float, deff: float = 1.0,
                         response_rate: float = 1.0) -> dict[str, int]:
    """Interviews needed under design effect ``deff`` and cases to issue at ``response_rate``.

    The adjusted size is capped at N (no more interviews than people).
    """
    if deff < 1 or not 0 < response_rate <= 1:
        raise ValueError("deff must be ≥ 1 and the response rate in (0, 1]")
    base = yamane_size(population, margin)
    interviews = min(population, math.ceil(base * deff))
    return {"srs": base, "interviews": interviews, "issued": math.ceil(interviews / response_rate)}
