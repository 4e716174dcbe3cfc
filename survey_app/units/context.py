"""Looking up a campaign's unit for a units route, and who the visitor is for it."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from survey_app import queries
from survey_app.extensions import db
from survey_app.models import (AdminUnit, Campaign, CampaignUnit, Role, Score, ScoringMethod,
                               SelfAssessment)

SELF_SCORED = (ScoringMethod.SELF_ASSESSED, ScoringMethod.BONUS, ScoringMethod.PENALTY)


@dataclass
class UnitContext:
    campaign: Campaign
    unit: AdminUnit
    campaign_unit: CampaignUnit
    assessment: SelfAssessment | None
    editor: bool
    appraiser: bool

    def nodes(self):
        """The unit's self-scored sub-criteria (self-assessed, bonus, penalty), in framework order."""
        return [n for n in self.campaign.framework.leaves(self.campaign_unit.framework_level)
                if n.method in SELF_SCORED]

    def scores(self) -> dict[int, Score]:
        return {s.node_id: s for s in self.assessment.scores} if self.assessment else {}

    @property
    def default_step(self) -> Decimal:
        return Decimal(str((self.campaign.framework.settings or {}).get("default_step", "0.25")))


def load(campaign_code: str, unit_code: str) -> UnitContext:
    """404 for an unknown campaign or unit, 403 for a unit outside the visitor's scope."""
    campaign = queries.campaign_or_404(campaign_code)
    unit = queries.unit_by_code(unit_code, campaign.year)
    if unit is None:
        abort(404)
    cu = db.session.scalar(select(CampaignUnit).where(CampaignUnit.campaign_id == campaign.id,
                                                      CampaignUnit.unit_id == unit.id))
    if cu is None:
        abort(404)
    editor = current_user.has_role(Role.UNIT_EDITOR) and current_user.can_reach(Role.UNIT_EDITOR, unit)
    appraiser = appraises(campaign, unit)
    if not (editor or appraiser):
        abort(403)
    return UnitContext(campaign, unit, cu, queries.assessment(campaign, unit), editor, appraiser)


def appraises(campaign: Campaign, unit: AdminUnit) -> bool:
    """The visitor appraises ``unit``: an appraiser reaching it, and its council member once the
    campaign's units are assigned (:mod:`survey_app.campaigns.council`)."""
    from survey_app.campaigns.council import may_appraise

    return (current_user.has_role(Role.APPRAISER) and current_user.can_reach(Role.APPRAISER, unit)
            and may_appraise(campaign, current_user, unit))


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def score_or_404(ctx: UnitContext, node_code: str) -> Score:
    if ctx.assessment is None:
        abort(404)
    found = next((s for s in ctx.assessment.scores if s.node.code == node_code), None)
    if found is None:
        abort(404)
    return found
