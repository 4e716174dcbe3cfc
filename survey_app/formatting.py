"""Numbers, percentages and dates the way the reader's language writes them (``69,75 điểm``)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from survey_app.i18n import _


def points(value, decimals: int = 2) -> str:
    """``69.75`` → ``69,75`` in Vietnamese, ``69.75`` in English."""
    if value is None:
        return "—"
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(float(value), format=pattern)


def percent(value, decimals: int = 1) -> str:
    """A percentage given on the 0-100 scale: ``86.98`` → ``86,98%`` with the reader's separators."""
    if value is None:
        return "—"
    return points(value, decimals) + "%"


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    pattern = "dd/MM/yyyy" if str(get_locale()) == "vi" else "d MMM yyyy"
    if isinstance(value, datetime):
        return format_datetime(value, pattern + " HH:mm")
    return format_date(value, pattern)


def status_label(status) -> str:
    """The translated name of a campaign, case, review or assessment status."""
    labels = {
        "draft": _("Draft"), "self_assessment": _("Self-assessment"), "fieldwork": _("Fieldwork"), "appraisal": _("Appraisal"),
        "analysis": _("Analysis"), "published": _("Published"), "submitted": _("Submitted"),
        "locked": _("Locked"), "pending": _("Pending"), "no_contact": _("No contact"),
        "refused": _("Refused"), "ineligible": _("Ineligible"), "completed": _("Completed"),
        "replaced": _("Replaced"), "self_completed": _("Self-completed by letter"),
        "received": _("Received"), "has_issues": _("Has issues"),
        "edited": _("Edited"), "rejected": _("Rejected"), "approved": _("Approved"),
    }
    key = getattr(status, "value", status)
    return labels.get(key, key)


def role_label(role) -> str:
    labels = {
        "admin": _("Administrator"), "analyst": _("Analyst"), "supervisor": _("Supervisor"),
        "enumerator": _("Enumerator"), "unit_editor": _("Unit editor"), "appraiser": _("Appraiser"),
    }
    key = getattr(role, "value", role)
    return labels.get(key, key)


def init_app(app: Flask) -> None:
    app.add_template_filter(points)
    app.add_template_filter(percent)
    app.add_template_filter(short_date)
    app.add_template_filter(status_label)
    app.add_template_filter(role_label)
    from survey_app.formtext import form_text
    app.add_template_filter(form_text)

    @app.context_processor
    def locale_context():
        return {"current_locale": str(get_locale())}
