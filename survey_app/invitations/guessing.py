"""Limits on guessing invitation codes (*đoán mã mời*): every route that reads a code counts the
codes it did not find, per address and per campaign (the code's three-letter prefix), in the
configured rate-limit storage (Redis when there are several processes), and answers 429 once
``CODE_ADDRESS_LIMIT`` or ``CODE_CAMPAIGN_LIMIT`` is reached. A valid code is never counted.
The README gives the arithmetic that makes a hit hopeless.
"""
from __future__ import annotations

from flask import current_app, request
from limits import parse

from survey_app.extensions import limiter
from survey_app.i18n import _
from survey_app.refusals import Refused


def _windows(code: str) -> list[tuple]:
    config = current_app.config
    return [(parse(config["CODE_ADDRESS_LIMIT"]), "code-miss-address", request.remote_addr or "-"),
            (parse(config["CODE_CAMPAIGN_LIMIT"]), "code-miss-campaign", code[:3])]


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and limiter.enabled


def refuse_when_guessing(code: str) -> None:
    """429 when this address (or anyone, for this campaign) missed too many codes lately."""
    if not _enabled():
        return
    for window, *keys in _windows(code):
        if not limiter.limiter.test(window, *keys):
            raise Refused(429, (), _("Too many codes that do not exist were tried from your connection. "
                                     "Please wait an hour, or call the helpline on your invitation letter."))


def count_miss(code: str) -> None:
    """Count a code that was not found."""
    if _enabled():
        for window, *keys in _windows(code):
            limiter.limiter.hit(window, *keys)
