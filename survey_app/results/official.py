"""Which results count for a campaign: the latest publication when there is one, else the draft.

The draft rests on the latest analysis run and the appraisal state (analysts see it), computed
once for those inputs and stored (:mod:`survey_app.results.stored`); the public pages, the API
and the report read the publication, whose figures never move until a new version is published
(:mod:`survey_app.campaigns.publication`).
"""
from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.index.ranking import DRAWS, SEED
from survey_app.models import AnalysisRun, Campaign, Publication
from survey_app.results.runs import latest_run


def current_publication(campaign: Campaign) -> Publication | None:
    """The campaign's newest publication (highest version), or None."""
    return db.session.scalar(select(Publication).where(Publication.campaign_id == campaign.id)
                             .order_by(Publication.version.desc()).limit(1))


def publications(campaign: Campaign) -> list[Publication]:
    return list(db.session.scalars(select(Publication).where(Publication.campaign_id == campaign.id)
                                   .order_by(Publication.version)))


def counted_run(campaign: Campaign, draft: bool = False) -> AnalysisRun | None:
    """The run the campaign's results rest on: the publication's, or the latest for a draft."""
    publication = None if draft else current_publication(campaign)
    return publication.run if publication is not None else latest_run(campaign)


def campaign_index(campaign: Campaign, locale: str = "vi", draft: bool = False, draws: int = DRAWS,
                   seed: int = SEED):
    """The campaign's index: frozen from its publication unless ``draft`` (or none exists); the
    draft is read from its stored figures (:mod:`survey_app.results.stored`)."""
    from survey_app.results.frozen import index_from
    from survey_app.results.stored import draft_index
    publication = None if draft else current_publication(campaign)
    if publication is not None:
        return index_from(publication.document, campaign, publication.run, publication)
    return draft_index(campaign, locale=locale, draws=draws, seed=seed)


def has_draft_changes(campaign: Campaign) -> bool:
    """Whether a run newer than the published one exists (the draft differs from the record)."""
    publication = current_publication(campaign)
    run = latest_run(campaign)
    return publication is not None and run is not None and (publication.run_id != run.id)
