"""A national index's trend for one province: its rows by year and a small line chart drawn as
an inline SVG (no JavaScript), score on the vertical axis, one point per year with a score."""
from __future__ import annotations

from dataclasses import dataclass, field

from survey_app.models import NationalIndex, NationalIndexResult
from survey_app.plans.national import results_of

WIDTH, HEIGHT, PAD = 320, 120, 24


@dataclass
class Trend:
    index: NationalIndex
    province: str
    rows: list[NationalIndexResult]
    points: list[tuple[float, float, int, float]] = field(default_factory=list)  # x, y, year, score
    low: float = 0.0
    high: float = 100.0

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.points)


def chart_points(rows: list[NationalIndexResult]) -> tuple[list[tuple[float, float, int, float]], float, float]:
    """Screen coordinates of the scored years, the vertical axis padded to whole fives."""
    scored = [(r.year, float(r.score)) for r in rows if r.score is not None]
    if not scored:
        return [], 0.0, 100.0
    values = [s for _, s in scored]
    low, high = max(0.0, 5 * (min(values) // 5) - 5), min(100.0, 5 * (max(values) // 5) + 5)
    years = [y for y, _ in scored]
    span_x, span_y = max(max(years) - min(years), 1), max(high - low, 1.0)
    found = [(PAD + (WIDTH - 2 * PAD) * (y - min(years)) / span_x,
              HEIGHT - PAD - (HEIGHT - 2 * PAD) * (s - low) / span_y, y, s) for y, s in scored]
    return found, low, high


def trends(province: str | None = None) -> list[Trend]:
    """One trend per index and province (only ``province``'s when given), indices in their order."""
    groups: dict[tuple, list[NationalIndexResult]] = {}
    for row in results_of():
        if province is None or row.province == province:
            groups.setdefault((list(NationalIndex).index(row.national_index), row.province), []).append(row)
    found = []
    for (position, name), rows in sorted(groups.items()):
        rows.sort(key=lambda r: r.year)
        points, low, high = chart_points(rows)
        found.append(Trend(list(NationalIndex)[position], name, rows, points, low, high))
    return found


def provinces() -> list[str]:
    return sorted({row.province for row in results_of()})
