"""What the index pages (analyst, public, units) and the API share: a unit's profile."""
from __future__ import annotations

from flask import abort
from flask_babel import get_locale

from survey_app.i18n import _
from survey_app.index import planner
from survey_app.index.history import compare, previous_campaign
from survey_app.results import losses, official


def campaign_index(campaign, draft: bool = False):
    """The publication's index, or the draft computed now (``draft`` or nothing published)."""
    return official.campaign_index(campaign, locale=str(get_locale()), draft=draft)


def profile(index, unit_code: str, target_kind: str | None = None, target: str | None = None) -> dict:
    """A unit's result, its losses, an optional target's price, and last year's comparison.

    404 for a unit not in the campaign; :class:`planner.TargetError` for a bad target.
    """
    result = index.by_code.get(unit_code)
    if result is None:
        abort(404)
    found, pending = losses.losses(result)
    goal = None
    if target_kind and target:
        goal = planner.plan(result, index.level(result.level), index.classes, target_kind, target)
    before = previous_campaign(index.campaign)
    comparison = None
    if before is not None:
        comparison = compare(result, official.campaign_index(before, str(get_locale()), draws=index.draws,
                                                             seed=index.seed), index.campaign.year)
    return {"result": result, "losses": found, "pending": pending, "goal": goal,
            "comparison": comparison}


def target_message(kind: str) -> str:
    """The translated problem with a planner target of ``kind``."""
    return {"percent": _("Enter a percentage between 0 and 100."),
            "grade": _("Choose one of the framework's classes."),
            "rank": _("Enter a rank between 1 and the number of units of the level."),
            }.get(kind, _("Choose a kind of target."))
