"""What the index pages (analyst, public, units) and the API share: a unit's profile."""
from __future__ import annotations

from flask import abort
from flask_babel import get_locale

from survey_app.index import planner
from survey_app.index.build import compute_campaign
from survey_app.index.history import compare, previous_campaign


def campaign_index(campaign):
    return compute_campaign(campaign, locale=str(get_locale()))


def profile(index, unit_code: str, target_kind: str | None = None, target: str | None = None) -> dict:
    """A unit's result, its losses, an optional target's price, and last year's comparison.

    404 for a unit not in the campaign; :class:`planner.TargetError` for a bad target.
    """
    result = index.by_code.get(unit_code)
    if result is None:
        abort(404)
    found, pending = planner.losses(result)
    goal = None
    if target_kind and target:
        goal = planner.plan(result, index.level(result.level), index.classes, target_kind, target)
    before = previous_campaign(index.campaign)
    comparison = None
    if before is not None:
        comparison = compare(result, compute_campaign(before, draws=index.draws, seed=index.seed,
                                                      locale=str(get_locale())), index.campaign.year)
    return {"result": result, "losses": found, "pending": pending, "goal": goal,
            "comparison": comparison}
