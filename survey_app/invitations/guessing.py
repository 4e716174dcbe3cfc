"""Limits on guessing invitation codes (*đoán mã mời*): every route that reads a code counts the
codes it did not find, per address and per campaign, in the configured rate-limit storage (Redis
when there are several processes), and answers 429 past ``CODE_ADDRESS_LIMIT`` or
``CODE_CAMPAIGN_LIMIT``. A code that is found is never counted.

The campaign limit holds only the addresses that have themselves missed at least
:data:`OWN_MISSES` codes in the window: a citizen typing their valid code (even after a typo or
two) is never refused because others are guessing, so a few hundred addresses cannot lock a
campaign out. A miss names no invitation, so it counts against every campaign still taking
answers whose code prefix it carries; a code that is found is checked against its own campaign.
The README gives the arithmetic that makes a hit hopeless.
"""
from __future__ import annotations

from flask import current_app, request
from limits import parse
from sqlalchemy import select

from survey_app.extensions import db, limiter
from survey_app.i18n import _
from survey_app.refusals import Refused

#: Misses of its own an address may make in the window before the campaign limit holds it.
OWN_MISSES = 3
ADDRESS, CAMPAIGN = "code-miss-address", "code-miss-campaign"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and limiter.enabled


def _address() -> tuple:
    return parse(current_app.config["CODE_ADDRESS_LIMIT"]), ADDRESS, request.remote_addr or "-"


def _campaign(campaign_id: int) -> tuple:
    return parse(current_app.config["CODE_CAMPAIGN_LIMIT"]), CAMPAIGN, str(campaign_id)


def campaigns_named_by(code: str) -> list[int]:
    """The campaigns still taking answers whose codes start like ``code``: a guess aims at each."""
    from survey_app.invitations.codes import CLOSED, PREFIX_LENGTH, prefix
    from survey_app.models import Campaign

    start = code[:PREFIX_LENGTH]
    return [campaign.id for campaign in db.session.scalars(select(Campaign).where(Campaign.status.not_in(CLOSED)))
            if prefix(campaign) == start]


def _own_misses() -> int:
    window, *keys = _address()
    return window.amount - limiter.limiter.get_window_stats(window, *keys).remaining


def _refuse() -> None:
    raise Refused(429, (), _("Too many codes that do not exist were tried from your connection. "
                             "Please wait an hour, or call the helpline on your invitation letter."))


def refuse_when_guessing(code: str, campaign_id: int | None = None) -> None:
    """429 when this address missed too many codes lately, or missed some while its campaign is
    under attack. ``campaign_id``: the campaign of the code when it was found."""
    if not _enabled():
        return
    if not limiter.limiter.test(*_address()):
        _refuse()
    if _own_misses() < OWN_MISSES:
        return
    for campaign in [campaign_id] if campaign_id is not None else campaigns_named_by(code):
        if not limiter.limiter.test(*_campaign(campaign)):
            _refuse()


def count_miss(code: str) -> None:
    """Count a code that was not found, against this address and the campaigns it aims at."""
    if _enabled():
        limiter.limiter.hit(*_address())
        for campaign in campaigns_named_by(code):
            limiter.limiter.hit(*_campaign(campaign))
