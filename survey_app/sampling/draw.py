"""Draws from a frame, within strata. Each function returns the selected units with their
inclusion probability π (the design weight is 1/π).

* simple random sampling without replacement: π = n/N (Cochran, *Sampling Techniques*, 1977, §2.2);
* systematic sampling with a random start: π = n/N (Cochran §8.1), fractional interval N/n;
* probability proportional to size, systematic (Madow 1949; Cochran §9A.7): π_i = n·x_i/Σx, units
  with n·x_i ≥ Σx are taken with certainty and the rest drawn again among the others.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence


def simple_random(frame: Sequence, n: int, rng: random.Random) -> list[tuple[object, float]]:
    if not 0 <= n <= len(frame):
        raise ValueError("n must be between 0 and the frame size")
    return [(unit, n / len(frame)) for unit in rng.sample(list(frame), n)] if n else []


def systematic(frame: Sequence, n: int, rng: random.Random) -> list[tuple[object, float]]:
    if not 0 < n <= len(frame):
        raise ValueError("n must be between 1 and the frame size")
    step = len(frame) / n
    start = rng.uniform(0, step)
    return [(frame[int(start + k * step)], n / len(frame)) for k in range(n)]


def pps_systematic(frame: Sequence, n: int, size: Callable[[object], float],
                   rng: random.Random) -> list[tuple[object, float]]:
    """PPS without replacement by the systematic method on cumulated sizes."""
    units = [u for u in frame if size(u) > 0]
    if not 0 < n <= len(units):
        raise ValueError("n must be between 1 and the number of units with a positive size")
    certain: list[tuple[object, float]] = []
    while True:
        total = sum(size(u) for u in units)
        big = [u for u in units if (n - len(certain)) * size(u) >= total]
        if not big:
            break
        certain += [(u, 1.0) for u in big]
        units = [u for u in units if u not in big]
    left = n - len(certain)
    if left == 0:
        return certain
    total = sum(size(u) for u in units)
    step, point, cumulated, chosen = total / left, rng.uniform(0, total / left), 0.0, []
    for unit in units:
        cumulated += size(unit)
        while point < cumulated and len(chosen) < left:
            chosen.append((unit, left * size(unit) / total))
            point += step
    return certain + chosen


def stratified(frame: Sequence, stratum: Callable[[object], Hashable], sizes: dict, draw) -> list:
    """Apply ``draw(units, n)`` in each stratum with its own ``sizes[stratum]``; strata in order."""
    groups: dict[Hashable, list] = {}
    for unit in frame:
        groups.setdefault(stratum(unit), []).append(unit)
    selected = []
    for key in sorted(groups, key=str):
        selected += [(key, unit, p) for unit, p in draw(groups[key], sizes.get(key, 0))]
    return selected
