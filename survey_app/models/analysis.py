"""Stored analysis runs: numbered, with parameters, software version and input fingerprint."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import JSONDocument, Timestamp, db, utcnow


class AnalysisRun(db.Model):
    """One run of ``flask --app wsgi analyse``: enough to trace and recompute any figure."""

    __tablename__ = "analysis_run"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)
    __audited__ = ("number", "input_fingerprint")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    parameters: Mapped[dict] = mapped_column(JSONDocument)
    software_version: Mapped[str] = mapped_column(String(64))
    input_fingerprint: Mapped[str] = mapped_column(String(64))
    respondents: Mapped[int] = mapped_column(Integer)
    exclusions: Mapped[dict] = mapped_column(JSONDocument)
    weighting: Mapped[dict] = mapped_column(JSONDocument)

    estimates: Mapped[list[AnalysisEstimate]] = relationship(
        back_populates="run", cascade="all, delete-orphan")


class AnalysisEstimate(db.Model):
    """One estimate of a run, with its standard error and the design it assumes (see the run)."""

    __tablename__ = "analysis_estimate"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id"), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    statistic: Mapped[str] = mapped_column(String(32))
    variable: Mapped[str] = mapped_column(String(64))
    estimate: Mapped[float] = mapped_column(Float)
    se: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float] = mapped_column(Float)
    ci_high: Mapped[float] = mapped_column(Float)
    df: Mapped[float] = mapped_column(Float)
    deff: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int] = mapped_column(Integer)

    run: Mapped[AnalysisRun] = relationship(back_populates="estimates")
