"""From each unit's leaves to its index: points per field, bonus and penalty within their caps,
the total capped at the level's maximum and floored at 0, and the no-survey rescaling.

Rules (``questionnaires/README.md`` §2):

* ``self_assessed`` and ``survey`` sub-criteria add up to their fields; each leaf counts at most
  its ``max_points`` and never below 0.
* ``bonus``: up to ``max_points`` added; ``penalty``: ``max_points`` is the cap of the deduction.
  They count in their own field (a field's points are ``Σ regular + bonus − penalty``) and are
  also reported apart: ``total = clip(Σ regular + bonus − penalty, 0, max)`` = ``clip(Σ fields)``.
* A campaign without a survey (``no_survey: {rescale_to: 100}``): the appraised self-assessed
  points are rescaled, ``regular = Σ self-assessed × rescale_to / Σ self-assessed max``, then
  bonus and penalty apply and the total is capped at ``rescale_to``.
* A survey sub-criterion without a stored estimate (``no_survey_result``) adds nothing; the unit
  shows the points still pending so nobody reads them as a zero score.
"""
from __future__ import annotations

from survey_app.index.model import REGULAR, UnitIndex, UnitInput
from survey_app.results.points import field_sums


def _clip(value: float, high: float) -> float:
    return min(max(value, 0.0), high)


def field_points(unit: UnitInput) -> dict[str, float]:
    """Points per field code: bonus added and penalty subtracted in their own field
    (:func:`survey_app.results.points.field_sums`)."""
    return field_sums(unit.leaves, [code for code, _, _ in unit.fields])


def regular_points(unit: UnitInput) -> float:
    """Sum of the regular leaves, or their rescaled self-assessed part without a survey."""
    if unit.rescale_to is None:
        return sum(leaf.counted for leaf in unit.leaves if leaf.method in REGULAR)
    own = [leaf for leaf in unit.leaves if leaf.method == "self_assessed"]
    maximum = sum(leaf.max_points for leaf in own)
    return sum(leaf.counted for leaf in own) * unit.rescale_to / maximum if maximum else 0.0


def extras(unit: UnitInput) -> tuple[float, float]:
    """(bonus added, penalty deducted), each leaf within its own cap."""
    bonus = sum(leaf.counted for leaf in unit.leaves if leaf.method == "bonus")
    penalty = -sum(leaf.counted for leaf in unit.leaves if leaf.method == "penalty")
    return bonus, penalty


def compute_unit(unit: UnitInput) -> UnitIndex:
    """The unit's point figures (no rank, no interval yet)."""
    maximum = unit.rescale_to if unit.rescale_to is not None else unit.max_points
    regular = regular_points(unit)
    bonus, penalty = extras(unit)
    pending = 0.0 if unit.rescale_to is not None else sum(
        leaf.max_points for leaf in unit.leaves if leaf.source == "no_survey_result")
    return UnitIndex(
        code=unit.code, name=unit.name, level=unit.level, max_points=maximum, leaves=unit.leaves,
        field_points=field_points(unit), regular=regular, bonus=bonus, penalty=penalty,
        total=_clip(regular + bonus - penalty, maximum), rescaled=unit.rescale_to is not None,
        pending_survey_points=pending, fields=unit.fields,
        pending_appraisal=sum(1 for leaf in unit.leaves if leaf.source == "self"))


def grade(percent: float, classes: list[dict]) -> str | None:
    """The first class (highest first) whose ``min_percent`` the percentage reaches.

    The percentage is rounded to the 2 decimals it is published with, so a unit shown at
    ``90,00%`` is never put in class B by a floating-point remainder.
    """
    shown = round(percent, 2)
    for spec in classes:
        if shown >= float(spec["min_percent"]):
            return str(spec["code"])
    return None
