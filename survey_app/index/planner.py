"""Improvement planner (*kế hoạch cải thiện*): where a unit lost points, what it would take to
reach a target, and how it compares with last year.

* Lost points per sub-criterion: :func:`survey_app.results.losses.losses`.
* Target: a percentage, a class (its ``min_percent``) or a rank. To hold rank ``k`` under
  competition ranking a unit needs a total at least equal to the ``k``-th highest total among
  the other units of its level (a tie shares the rank). ``needed = max(target − total, 0)``;
  the target is reachable when ``needed`` ≤ the regainable points (the cap at the level maximum
  included).
"""
from __future__ import annotations

from survey_app.index.model import UnitIndex
from survey_app.refusals import MessageRefused
from survey_app.results.losses import Loss, losses  # noqa: F401 (the planner's losses)

TARGET_KINDS = ("percent", "grade", "rank")


class TargetError(MessageRefused):
    """A target that cannot be understood (unknown class, rank out of range…)."""


def target_total(result: UnitIndex, others: list[UnitIndex], classes: list[dict],
                 kind: str, value: str) -> float:
    """The total (on the level's scale) that meets the target."""
    if kind == "percent":
        try:
            percent = float(str(value).replace(",", "."))
        except ValueError:
            raise TargetError("percent") from None
        if not 0 <= percent <= 100:
            raise TargetError("percent")
        return percent * result.max_points / 100.0
    if kind == "grade":
        spec = next((c for c in classes if str(c["code"]) == str(value)), None)
        if spec is None:
            raise TargetError("grade")
        return float(spec["min_percent"]) * result.max_points / 100.0
    if kind == "rank":
        try:
            rank = int(value)
        except ValueError:
            raise TargetError("rank") from None
        rivals = sorted((round(o.total, 2) for o in others if o.code != result.code), reverse=True)
        if not 1 <= rank <= len(rivals) + 1:
            raise TargetError("rank")
        return rivals[rank - 1] if rank - 1 < len(rivals) else 0.0
    raise TargetError("kind")


def plan(result: UnitIndex, others: list[UnitIndex], classes: list[dict],
         kind: str, value: str) -> dict:
    """Points needed for the target and whether the regainable points can cover them."""
    goal = target_total(result, others, classes, kind, value)
    found, pending = losses(result)
    regainable = min(sum(x.lost for x in found), result.max_points - result.total)
    needed = max(goal - round(result.total, 2), 0.0)
    return {"kind": kind, "value": value, "target_total": goal, "needed": needed,
            "regainable": regainable, "reachable": needed <= regainable + 1e-9,
            "pending_survey_points": sum(x.max_points for x in pending)}
