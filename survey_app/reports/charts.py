"""The report's charts, drawn by matplotlib with the shipped Noto Sans (so every Vietnamese
glyph is there) as PNG images at print resolution. PNG, not SVG: WeasyPrint redraws an SVG's
every glyph path into the PDF, which made charts two thirds of the report's PDF step, while
an image is copied in once. Numbers are written the reader's way (decimal comma in Vietnamese).
"""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from babel.numbers import format_decimal  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402

from survey_app.reports import FONTS_DIR  # noqa: E402

for _file in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
    font_manager.fontManager.addfont(str(FONTS_DIR / _file))

DPI = 150  # sharp on paper at the width the report prints them (about 17 cm)
STYLE = {"font.family": "Noto Sans",
         "font.size": 8, "axes.spines.top": False, "axes.spines.right": False}
LEVEL_COLOURS = ["#1f5f8b", "#d08c2a", "#4d8c57", "#8b3a62"]


def _png(fig) -> bytes:
    """The figure as PNG bytes, RGB: the figure is opaque, and an alpha channel (what savefig
    writes) is split out by WeasyPrint into a second image it compresses again."""
    fig.set_dpi(DPI)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]
    plt.close(fig)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="png", dpi=(DPI, DPI))
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """PNG bytes as a data URI, for the analysts' HTML page (the CSP allows ``img-src data:``)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _error(estimates) -> list[list[float]]:
    return [[100 * (e.estimate - e.ci_low) if e else 0 for e in estimates],
            [100 * (e.ci_high - e.estimate) if e else 0 for e in estimates]]


def factor_bars(report, axis_label: str) -> bytes:
    """% satisfied per factor, one bar per unit level (its average unit), with 95% intervals;
    the legend sits above the plot, never over a bar."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.6, 3.0), layout="constrained")
        width = 0.8 / max(len(report.levels), 1)
        for i, (level, name) in enumerate(report.levels):
            values = [report.averages[level].get(f.code) for f in report.factors]
            xs = [j + (i - (len(report.levels) - 1) / 2) * width for j in range(len(report.factors))]
            ax.bar(xs, [100 * v.estimate if v else 0 for v in values], width, yerr=_error(values),
                   capsize=2, color=LEVEL_COLOURS[i % 4], label=name, error_kw={"linewidth": 0.8})
        ax.set_xticks(range(len(report.factors)), [f.code for f in report.factors])
        ax.set_ylim(0, 100)
        ax.set_ylabel(axis_label)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(report.levels), fontsize=7,
                  frameon=False)
        return _png(fig)


def _dot_interval(ax, rows, locale: str) -> None:
    """Rows ``(label, estimate, low, high)`` already in rank order, best at the top."""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, locale=locale)))
    ys = list(range(len(rows)))[::-1]
    ax.hlines(ys, [r[2] for r in rows], [r[3] for r in rows], color="#8aa9c1", linewidth=1.2)
    ax.plot([r[1] for r in rows], ys, "o", color="#1f5f8b", markersize=3)
    ax.set_yticks(ys, [r[0] for r in rows], fontsize=6.5)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(axis="x", linewidth=0.3, color="#cccccc")


def _stacked(blocks, axis_label: str, draw, legend: dict[str, str] | None = None) -> bytes:
    """One panel per level (``(name, rows)``), heights by their rows, ``draw(ax, rows)`` each;
    ``legend`` (label → colour) goes above the panels, outside the data.

    Margins are fixed in inches (room for the longest unit name on the left, the titles and
    legend above) instead of a layout engine that draws every label several times to measure it."""
    heights = [len(rows) + 2 for _, rows in blocks]
    top, bottom, gap = (0.4 + 0.17 * len(legend) if legend else 0.3), 0.45, 0.45
    height = top + bottom + gap * (len(blocks) - 1) + 0.115 * sum(heights)
    panel = (height - top - bottom - gap * (len(blocks) - 1)) / len(blocks)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(blocks), 1, figsize=(6.6, height), squeeze=False,
                                 gridspec_kw={"height_ratios": heights, "hspace": gap / panel})
        fig.subplots_adjust(left=0.36, right=0.98, top=1 - top / height, bottom=bottom / height)
        for ax, (name, rows) in zip(axes[:, 0], blocks):
            draw(ax, rows)
            ax.set_title(name, fontsize=8, loc="left", fontweight="bold")
        axes[-1, 0].set_xlabel(axis_label)
        if legend:
            handles = [Line2D([], [], color=c, linewidth=3.5, alpha=0.7, label=t) for t, c in legend.items()]
            fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.36, 1 - 0.02 / height),
                       ncol=1, fontsize=7, frameon=False)
        return _png(fig)


def satisfaction_ranking(report, axis_label: str) -> bytes | None:
    """Units of each level ordered by their overall % satisfied, with 95% confidence intervals."""
    blocks = []
    for level, name in report.levels:
        found = [(cu.unit.name, report.estimate(cu.unit.code, "overall")) for cu in report.all_units
                 if cu.framework_level == level]
        found = sorted([f for f in found if f[1]], key=lambda f: -f[1].estimate)
        rows = [(n, 100 * e.estimate, 100 * e.ci_low, 100 * e.ci_high) for n, e in found]
        if rows:
            blocks.append((name, rows))
    return _stacked(blocks, axis_label, lambda ax, rows: _dot_interval(ax, rows, report.locale)) if blocks else None


def index_ranking(blocks, axis_label: str, locale: str) -> bytes | None:
    """Units of each level in rank order by index points, with 95% simulated intervals."""
    panels = [(b["name"], [(f"{u.rank}. {u.name}", u.total, u.total if u.ci_low is None else u.ci_low,
                            u.total if u.ci_high is None else u.ci_high) for u in b["units"]])
              for b in blocks if b["units"]]
    return _stacked(panels, axis_label, lambda ax, rows: _dot_interval(ax, rows, locale)) if panels else None


SEPARATION_COLOURS = {"ahead": "#2e7d32", "unclear": "#8a8a8a", "behind": "#c62828"}


def rank_intervals(blocks, labels: dict[str, str]) -> bytes | None:
    """Each unit's rank interval, coloured by whether it is certainly ahead of or behind most of
    its level or cannot be told apart: units whose bars do not overlap differ for certain."""
    panels = [(b["name"], [(u, b["group"].get(u.code, "unclear")) for u in b["units"]])
              for b in blocks if b["units"]]
    if not panels:
        return None

    def draw(ax, rows):
        """One set of bars and one of dots per colour, not two artists per unit (half the chart's time)."""
        ys = list(range(len(rows)))[::-1]
        for group, colour in SEPARATION_COLOURS.items():
            mine = [(y, u) for y, (u, g) in zip(ys, rows) if g == group]
            if not mine:
                continue
            ax.hlines([y for y, _ in mine], [u.rank_low - 0.35 for _, u in mine],
                      [u.rank_high + 0.35 for _, u in mine], color=colour, linewidth=3.5, alpha=0.55)
            ax.plot([u.rank for _, u in mine], [y for y, _ in mine], "o", color=colour, markersize=3)
        ax.set_yticks(ys, [u.name for u, _ in rows], fontsize=6.5)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlim(0.2, len(rows) + 0.8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", linewidth=0.3, color="#cccccc")

    legend = {labels[group]: colour for group, colour in SEPARATION_COLOURS.items()}
    return _stacked(panels, labels["rank"], draw, legend)


HEAT_LOW, HEAT_STEP, HEAT_STEPS = 40.0, 5.0, 12


def heat_class(percent) -> str:
    """The class of a heat-map cell holding ``percent`` (0-100): ``heat-0`` (40 or below, red)
    to ``heat-12`` (100, green) in steps of 5, coloured by report.css and screen.css (the CSP
    allows no inline style); none for a missing value.

    The heat maps are the report's tables with coloured cells rather than images: their text is
    real text, as sharp on paper as the rest, and costs nothing to draw."""
    if percent is None or percent != percent:
        return ""
    return f"heat-{min(HEAT_STEPS, max(0, round((percent - HEAT_LOW) / HEAT_STEP)))}"


def draw_all(report, blocks, labels: dict[str, str]) -> dict:
    """Every chart of the report as PNG bytes, keyed by name (None: nothing to draw)."""
    if report.run is None:
        return {}
    return {"factors": factor_bars(report, labels["pct"]),
            "ranking": satisfaction_ranking(report, labels["pct"]),
            "index_ranking": index_ranking(blocks, labels["points"], report.locale),
            "rank_intervals": rank_intervals(blocks, labels)}
