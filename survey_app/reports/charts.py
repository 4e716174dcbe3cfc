"""The report's charts, drawn by matplotlib as SVG with text as paths (``svg.fonttype: path``),
so no viewer or PDF engine has to find a font with Vietnamese glyphs: the shipped Noto Sans
is used to draw them. Numbers are written the reader's way (decimal comma in Vietnamese).
"""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
from babel.numbers import format_decimal  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from survey_app.reports import FONTS_DIR  # noqa: E402

for _file in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
    font_manager.fontManager.addfont(str(FONTS_DIR / _file))

STYLE = {"svg.fonttype": "path", "svg.hashsalt": "parindex", "font.family": "Noto Sans",
         "font.size": 8, "axes.spines.top": False, "axes.spines.right": False}
LEVEL_COLOURS = ["#1f5f8b", "#d08c2a", "#4d8c57", "#8b3a62"]


def _svg(fig) -> str:
    """The figure as an SVG data URI (what both <img> in HTML and WeasyPrint read)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _error(estimates) -> list[list[float]]:
    return [[100 * (e.estimate - e.ci_low) if e else 0 for e in estimates],
            [100 * (e.ci_high - e.estimate) if e else 0 for e in estimates]]


def factor_bars(report, axis_label: str) -> str:
    """% satisfied per factor, one bar per unit level (its average unit), with 95% intervals."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.6, 3.0))
        width = 0.8 / max(len(report.levels), 1)
        for i, (level, name) in enumerate(report.levels):
            values = [report.averages[level].get(f.code) for f in report.factors]
            xs = [j + (i - (len(report.levels) - 1) / 2) * width for j in range(len(report.factors))]
            ax.bar(xs, [100 * v.estimate if v else 0 for v in values], width, yerr=_error(values),
                   capsize=2, color=LEVEL_COLOURS[i % 4], label=name, error_kw={"linewidth": 0.8})
        ax.set_xticks(range(len(report.factors)), [f.code for f in report.factors])
        ax.set_ylim(0, 100)
        ax.set_ylabel(axis_label)
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        return _svg(fig)


def _dot_interval(ax, rows, scale: float, locale: str) -> None:
    """Rows ``(label, estimate, low, high)`` already in rank order, best at the top."""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, locale=locale)))
    ys = list(range(len(rows)))[::-1]
    ax.hlines(ys, [scale * r[2] for r in rows], [scale * r[3] for r in rows], color="#8aa9c1", linewidth=1.2)
    ax.plot([scale * r[1] for r in rows], ys, "o", color="#1f5f8b", markersize=3)
    ax.set_yticks(ys, [r[0] for r in rows], fontsize=5.5)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(axis="x", linewidth=0.3, color="#cccccc")


def _ranking_rows(report) -> list[tuple[str, list]]:
    """Per level: (level name, rows) ranked by the index if computed, else by % satisfied."""
    blocks = []
    for level, name in report.levels:
        if report.index is not None:
            units = sorted(report.index.level(level), key=lambda u: (u.rank or 0, u.code))
            rows = [(f"{u.rank}. {u.name}", u.total, u.ci_low if u.ci_low is not None else u.total,
                     u.ci_high if u.ci_high is not None else u.total) for u in units]
        else:
            found = [(cu.unit.name, report.estimate(cu.unit.code, "overall")) for cu in report.all_units
                     if cu.framework_level == level]
            found = sorted([f for f in found if f[1]], key=lambda f: -f[1].estimate)
            rows = [(f"{i + 1}. {n}", e.estimate, e.ci_low, e.ci_high) for i, (n, e) in enumerate(found)]
        if rows:
            blocks.append((name, rows))
    return blocks


def ranked_units(report, axis_label: str) -> str:
    """Units of each level in rank order: a dot for the estimate, a line for its 95% interval."""
    blocks = _ranking_rows(report)
    scale = 1.0 if report.index is not None else 100.0
    heights = [len(rows) + 2 for _, rows in blocks]
    # at least ~1.1 in per level: a level of one or two units still has room for its title and axis
    height = max(0.6 + 0.13 * sum(heights), 0.6 + 1.1 * len(blocks))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(blocks), 1, figsize=(6.6, height),
                                 gridspec_kw={"height_ratios": heights}, squeeze=False)
        for ax, (name, rows) in zip(axes[:, 0], blocks):
            _dot_interval(ax, rows, scale, report.locale)
            ax.set_title(name, fontsize=8, loc="left")
        axes[-1, 0].set_xlabel(axis_label)
        fig.tight_layout()
        return _svg(fig)


def _heat(row_names: list[str], column_names: list[str], values: list[list[float]], locale: str) -> str:
    """A grid coloured and labelled by percentages (0-100; NaN left blank)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.6, 0.9 + 0.14 * len(row_names)))
        image = ax.imshow(values, aspect="auto", cmap="RdYlGn", vmin=40, vmax=100)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if value == value:
                    ax.text(j, i, format_decimal(round(value), locale=locale), ha="center", va="center",
                            fontsize=5)
        ax.set_xticks(range(len(column_names)), column_names)
        ax.set_yticks(range(len(row_names)), row_names, fontsize=5.5)
        ax.xaxis.tick_top()
        fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
        return _svg(fig)


def heat_map(report, overall_label: str) -> str:
    """Units (rows) by SIPAS factor (columns), coloured and labelled by % satisfied."""
    columns = ["overall"] + [f.code for f in report.factors]
    units = [cu.unit for cu in report.all_units]
    values = [[100 * e.estimate if e else float("nan") for e in (report.estimate(u.code, c) for c in columns)]
              for u in units]
    return _heat([u.name for u in units], [overall_label] + columns[1:], values, report.locale)


def field_heat_map(report) -> str | None:
    """Units (rows) by index field (columns): points as a percentage of the field's maximum."""
    if report.index is None or not report.index.units:
        return None
    fields = report.index.units[0].fields
    units = report.index.units
    values = []
    for u in units:
        maxima = {code: maximum for code, _, maximum in u.fields}
        values.append([100 * u.field_points.get(code, 0.0) / maxima[code] if maxima.get(code) else float("nan")
                       for code, _, _ in fields])
    return _heat([u.name for u in units], [code for code, _, _ in fields], values, report.locale)


def draw_all(report, labels: dict[str, str]) -> dict[str, str]:
    """Every chart of the report as data URIs, keyed by name."""
    if report.run is None:
        return {}
    return {"factors": factor_bars(report, labels["pct"]),
            "ranking": ranked_units(report, labels["points"] if report.index else labels["pct"]),
            "heat_map": heat_map(report, labels["overall"]),
            "field_heat_map": field_heat_map(report)}
