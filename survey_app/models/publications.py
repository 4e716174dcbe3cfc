"""Publications (*công bố kết quả*): the frozen, numbered record of a campaign's results.

A publication keeps everything a reader is shown: the analysis run, the appraisal state, every
index figure with its interval and rank interval (the JSON document of
:mod:`survey_app.results.frozen`), and the report's PDF with its SHA-256. It is never edited:
a later analysis is a draft until it is published again as a new version, with a reason.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.analysis import AnalysisRun
from survey_app.models.base import JSONDocument, Timestamp, db, utcnow
from survey_app.models.campaigns import Campaign
from survey_app.models.users import User


class Publication(db.Model):
    """One version of a campaign's published results, under a decision (*quyết định*)."""

    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)
    __audited__ = ("version", "decision_number", "decision_date", "signer", "report_sha256")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[date] = mapped_column(Date)
    signer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_run.id"))
    #: The two documents are loaded when read (a page asking which version is current does not).
    #: Every self-scored sub-criterion's self-assessed and appraised points, and the rounds.
    appraisal: Mapped[dict] = mapped_column(JSONDocument, deferred=True)
    #: The index as :func:`survey_app.results.frozen.document` wrote it.
    document: Mapped[dict] = mapped_column(JSONDocument, deferred=True)
    #: Figures that moved since the previous version (empty for version 1).
    changes: Mapped[list] = mapped_column(JSONDocument)
    report_sha256: Mapped[str | None] = mapped_column(String(64))
    report_file: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    campaign: Mapped[Campaign] = relationship()
    run: Mapped[AnalysisRun | None] = relationship()
    created_by: Mapped[User | None] = relationship()
