"""The next year's report on the improvement plans (issue 17, point 5): when a campaign's report is
made, the issued (or closed) plans that started from the previous campaign's publication are
followed into this campaign, and the report's section ``sections/plan_results.html`` prints each
target met or not and the tasks' sub-criteria points before → now.

Nothing is compared here: the figures are :func:`survey_app.plans.followup.follow_up`'s, the same
the plan's page shows. The section calls :func:`plans_followed_in` as the template global
``plans_followed_in`` (registered on the plans blueprint, read by the report's Jinja environment,
which overlays the app's), so the report's data and layout modules need not know about plans.
"""
from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.index.history import previous_campaign
from survey_app.models import Campaign, ImprovementPlan, PlanStatus, Publication
from survey_app.plans import bp
from survey_app.plans.followup import FollowUp, follow_up

SHOWN = (PlanStatus.ISSUED, PlanStatus.CLOSED)


@bp.app_template_global("plans_followed_in")
def plans_followed_in(campaign: Campaign) -> list[tuple[ImprovementPlan, FollowUp]]:
    """``[(plan, its follow-up)]`` of the issued or closed plans whose next campaign is ``campaign``
    (their base publication is of the campaign before it, through the province's lineage)."""
    previous = previous_campaign(campaign)
    if previous is None:
        return []
    plans = db.session.scalars(select(ImprovementPlan).join(Publication, ImprovementPlan.base_publication)
                               .where(Publication.campaign_id == previous.id, ImprovementPlan.status.in_(SHOWN))
                               .order_by(ImprovementPlan.code))
    found = []
    for plan in plans:
        followed = follow_up(plan)
        if followed is not None and followed.campaign.id == campaign.id:
            found.append((plan, followed))
    return found
