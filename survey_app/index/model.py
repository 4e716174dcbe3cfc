"""Plain data the index is computed on and made of; no database, so the arithmetic is testable.

A :class:`LeafInput` is one sub-criterion (*tiêu chí thành phần*) of one unit: fixed points
(appraised, or self-assessed while appraisal is pending) or a survey indicator to convert.
A :class:`UnitIndex` is one unit's result (*kết quả Chỉ số CCHC*): points per field (*lĩnh vực*)
and in total, with the survey part's sampling error, rank, rank interval and class (*xếp loại*).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from survey_app.index.conversion import Indicator
from survey_app.results.points import counted

REGULAR = ("self_assessed", "survey")


@dataclass
class LeafInput:
    """One sub-criterion of one unit.

    ``source`` says where ``points`` come from: ``appraised``, ``self`` (not yet appraised),
    ``missing`` (no score entered), ``survey`` (converted from ``indicator``) or
    ``no_survey_result`` (a survey sub-criterion without a stored estimate: no points, shown as such).
    """

    code: str
    field_code: str
    method: str
    max_points: float
    name: str = ""
    points: float | None = None
    source: str = "missing"
    survey: dict | None = None
    indicator: Indicator | None = None
    points_se: float = 0.0
    self_points: float | None = None
    reason: str = ""

    @property
    def counted(self) -> float:
        """Points this leaf adds to (or, for a penalty, takes from) the total, within its cap."""
        return counted(self.method, self.points, self.max_points)


@dataclass
class UnitInput:
    """Everything needed to compute one unit's index."""

    code: str
    name: str
    level: str
    max_points: float
    leaves: list[LeafInput]
    fields: list[tuple[str, str, float]] = field(default_factory=list)  # (code, name, max)
    rescale_to: float | None = None  # set when the campaign holds no survey


@dataclass
class UnitIndex:
    """One unit's index. ``total`` is on the level's scale (100), already capped and floored."""

    code: str
    name: str
    level: str
    max_points: float
    leaves: list[LeafInput]
    field_points: dict[str, float]
    regular: float
    bonus: float
    penalty: float
    total: float
    se: float = 0.0
    ci_low: float | None = None
    ci_high: float | None = None
    rank: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    units_in_level: int = 0
    grade: str | None = None
    grade_range: tuple[str, str] | None = None
    rescaled: bool = False
    pending_survey_points: float = 0.0
    pending_appraisal: int = 0
    fields: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.total / self.max_points if self.max_points else 0.0
