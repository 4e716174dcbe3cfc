"""Render the report: one Jinja environment over ``reports/templates`` and the app's templates,
every output NFC-normalised, and WeasyPrint for the PDF (fonts and styles from ``reports/``).
"""
from __future__ import annotations

import functools
import gc
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup

from survey_app.i18n import _
from survey_app.reports import REPORTS_DIR
from survey_app.reports.data import Report, build_report
from survey_app.reports.indexing import index_levels
from survey_app.storage import write_whole
from survey_app.reports.wording import labels

ENV_KEY = "parindex_reports_env"
LANGUAGES = ("vi", "en")


def nfc(value):
    """Vietnamese text in composed form (NFC): one code point per accented letter, so the
    shipped font's precomposed glyphs are used and the PDF's text layer matches what was typed."""
    if isinstance(value, Markup):
        return Markup(unicodedata.normalize("NFC", str(value)))
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def environment(app: Flask) -> Environment:
    """The app's Jinja environment (filters, ``_``) also reading ``reports/templates``."""
    env = app.extensions.get(ENV_KEY)
    if env is None:
        loader = ChoiceLoader([FileSystemLoader(str(REPORTS_DIR / "templates")), app.jinja_env.loader])
        env = app.jinja_env.overlay(loader=loader, finalize=nfc)
        app.extensions[ENV_KEY] = env
    return env


def chart_labels() -> dict[str, str]:
    return {"pct": _("Percent satisfied"), "overall": _("Overall"), "points": _("PAR Index points"),
            "rank": _("Rank within the level (1 = best)"), "ahead": _("Certainly ahead of most of its level"),
            "unclear": _("Cannot be told apart from most of its level"),
            "behind": _("Certainly behind most of its level")}


#: The PDF's charts are named by URLs of this scheme and served from memory by :func:`local_fetcher`:
#: as data URIs they were two thirds of the HTML's bytes, which WeasyPrint's parser reads one by one.
CHART_SCHEME = "report-chart"


def context(report: Report, *, for_pdf: bool = False) -> dict:
    """What every section template receives: the report, its charts and the wording helpers.

    Charts are drawn once per report (PNG bytes in ``report.charts``); the page gets them as data
    URIs, the PDF (``for_pdf``) as ``report-chart:`` URLs that :func:`layout` fetches from memory."""
    from survey_app.reports import charts  # matplotlib, loaded when a report is drawn, not at start

    levels = index_levels(report) if report.index else []
    if not report.charts:
        report.charts = charts.draw_all(report, levels, chart_labels())
    sources = {name: (f"{CHART_SCHEME}:{name}" if for_pdf else charts.data_uri(png)) if png else None
               for name, png in report.charts.items()}
    return {"report": report, "charts": sources, "index_levels": levels, "heat": charts.heat_class,
            **labels()}


def render(template: str, **values) -> str:
    """Render ``template`` with the app's context processors, NFC-normalised."""
    app = current_app._get_current_object()
    app.update_template_context(values)
    return nfc(environment(app).get_template(template).render(values))


def local_fetcher(images: dict[str, bytes] | None = None):
    """Let WeasyPrint read local files, data URIs and ``images`` (``report-chart:NAME`` → PNG bytes)
    only: a report never fetches the network."""
    images, prefix = images or {}, CHART_SCHEME + ":"

    def image(url: str) -> bytes:
        png = images.get(url[len(prefix):])
        if png is None:
            raise ValueError(f"no such chart in this report: {url[:60]}")
        return png
    try:
        from weasyprint import URLFetcher
        from weasyprint.urls import URLFetcherResponse
    except ImportError:  # WeasyPrint < 68: a fetcher is a function
        from weasyprint import default_url_fetcher

        def fetch(url, *args, **kwargs):
            if url.startswith(prefix):
                return {"string": image(url), "mime_type": "image/png"}
            if not url.startswith(("file:", "data:")):
                raise ValueError(f"remote resources are not allowed in reports: {url[:60]}")
            return default_url_fetcher(url, *args, **kwargs)
        return fetch

    class ReportFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(prefix):
                return URLFetcherResponse(url, body=image(url), headers={"Content-Type": "image/png"})
            return super().fetch(url, headers)
    return ReportFetcher(allowed_protocols=("file", "data"))


#: The report's user-agent stylesheet, in place of WeasyPrint's HTML5 one (see its header).
USER_AGENT_CSS = REPORTS_DIR / "styles" / "user-agent.css"


@functools.cache
def report_html_class():
    """WeasyPrint's ``HTML`` with the report's lean user-agent stylesheet, parsed once.

    ``_ua_stylesheets`` is the method WeasyPrint's own tests override for the same purpose; were
    it renamed, WeasyPrint would keep its HTML5 sheet: the same report, only slower
    (tests/reports/test_report_pdf.py checks the hook is there)."""
    from weasyprint import CSS, HTML
    sheet = CSS(filename=str(USER_AGENT_CSS))

    class ReportHTML(HTML):
        def _ua_stylesheets(self, *args, **kwargs):
            return [sheet]
    return ReportHTML


_young_only = {"depth": 0, "thresholds": None, "lock": threading.Lock()}


@contextmanager
def young_collections_only():
    """Let Python's garbage collector collect only young objects for the duration (a report).

    Drawing its charts and laying the report out make millions of objects, so the collector also scans everything the
    process holds (the app, pandas, the analysis: some 350,000 objects) again and again: five full
    collections took 1.3 of the report's 9 s, and freed next to nothing, the layout's objects
    being alive until it ends. Young collections still free short-lived cycles; the thresholds
    come back when the last report running in the process is done (worker threads share them),
    and the next full collection, once the report is freed, takes whatever is left."""
    with _young_only["lock"]:
        if _young_only["depth"] == 0:
            _young_only["thresholds"] = gc.get_threshold()
            young, middle, _old = _young_only["thresholds"]
            gc.set_threshold(young, middle, 1_000_000)
        _young_only["depth"] += 1
    try:
        yield
    finally:
        with _young_only["lock"]:
            _young_only["depth"] -= 1
            if _young_only["depth"] == 0:
                gc.set_threshold(*_young_only["thresholds"])


def layout(html: str, images: dict[str, bytes] | None = None):
    """The laid-out WeasyPrint document of ``html`` (fonts and styles from ``reports/``, charts
    from ``images``); ``.write_pdf()`` gives its bytes."""
    with young_collections_only():
        return report_html_class()(string=html, base_url=str(REPORTS_DIR) + "/",
                                   url_fetcher=local_fetcher(images)).render()


def pdf_bytes(campaign, locale: str = "vi", unit_code: str | None = None) -> bytes:
    """The report of ``campaign`` as PDF bytes, in ``locale`` (vi or en)."""
    if locale not in LANGUAGES:
        raise ValueError(f"unknown language {locale}: choose vi or en")
    with young_collections_only(), force_locale(locale):  # the whole job: see the docstring
        report = build_report(campaign, locale, unit_code)
        html = render("report.html", **context(report, for_pdf=True))
        return layout(html, report.charts).write_pdf()


def write_pdf(campaign, target: Path, locale: str = "vi", unit_code: str | None = None) -> Path:
    target = Path(target)
    write_whole(target, pdf_bytes(campaign, locale, unit_code), prefix=".report-")
    return target
