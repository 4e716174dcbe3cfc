"""Points lost per sub-criterion (*điểm bị mất*): what the planner, the profiles and the
report list as the places to improve.

* self-assessed and survey sub-criteria: ``max − points``;
* a penalty: the deduction; a bonus: its unclaimed part.

Sorted by what can be regained, largest first; survey sub-criteria without a result are
listed apart (``pending``), never as a loss.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Loss:
    code: str
    name: str
    field_code: str
    method: str
    source: str
    max_points: float
    points: float | None
    lost: float


def losses(result) -> tuple[list[Loss], list[Loss]]:
    """(regainable losses sorted largest first, pending survey sub-criteria) of a UnitIndex."""
    found, pending = [], []
    for leaf in result.leaves:
        counted = abs(leaf.counted)
        lost = counted if leaf.method == "penalty" else leaf.max_points - counted
        item = Loss(leaf.code, leaf.name, leaf.field_code, leaf.method, leaf.source,
                    leaf.max_points, leaf.points, round(lost, 6))
        if leaf.source == "no_survey_result":
            pending.append(item)
        elif lost > 0:
            found.append(item)
    found.sort(key=lambda x: (-x.lost, x.code))
    return found, pending
