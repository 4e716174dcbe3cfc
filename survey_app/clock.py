"""The province's time (config ``TIMEZONE``, default Asia/Ho_Chi_Minh): every date a page, a
report or a deadline check shows or compares is a date there, never the server's UTC date."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE))


def now() -> datetime:
    return datetime.now(timezone.utc).astimezone(zone())


def today() -> date:
    """Today's date in the province."""
    return now().date()
