"""Stored index figures (*kết quả Chỉ số CCHC đã tính*): a campaign's draft index computed once
and kept, the simulation of rank intervals included, so pages and commands read it instead of
computing it again (:mod:`survey_app.results.stored`).

A row is valid for exactly the inputs its ``fingerprint`` names: the analysis run, every
self-assessed and appraised score, the campaign's units, the framework, the locale of the names,
the draws and the seed. When any of them changes the fingerprint differs and the figures are
computed again once; publications keep their own frozen copy (:class:`Publication.document`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from survey_app.models.base import Timestamp, db, utcnow


class StoredIndex(db.Model):
    """One campaign's index figures for one set of inputs (its ``fingerprint``)."""

    __tablename__ = "stored_index"
    __table_args__ = (UniqueConstraint("campaign_id", "fingerprint"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    #: Figures of a run that is deleted go with it (they would be recomputed from the remaining runs).
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    draws: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    #: Every unit's figures at full precision as JSON text (non-finite floats kept, which JSONB
    #: refuses): :func:`survey_app.results.stored.figures_json`.
    figures: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)


def holds_unsaved_work(session: Session) -> bool:
    """Whether ``session`` holds changes not yet committed (pending, or flushed in its transaction):
    storing figures then would commit them too."""
    return bool(session.new or session.dirty or session.deleted or session.info.get("wrote"))


@event.listens_for(Session, "after_flush")
def _wrote(session, flush_context) -> None:
    """Remember that the session's transaction holds flushed, uncommitted changes."""
    session.info["wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _settled(session, transaction) -> None:
    """The outermost transaction ended (commit, rollback or close): nothing is unsaved any more."""
    if transaction.parent is None:
        session.info.pop("wrote", None)
