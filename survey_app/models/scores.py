"""Self-assessment (*tự đánh giá*) and appraisal (*thẩm định*) of the framework's sub-criteria."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Timestamp, db, enum_column, utcnow
from survey_app.models.frameworks import FrameworkNode, Points
from survey_app.models.units import AdminUnit


class AssessmentStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    LOCKED = "locked"


class RoundStatus(enum.Enum):
    OPEN = "open"
    UNIT_REPLY = "unit_reply"
    CLOSED = "closed"


class SelfAssessment(db.Model):
    """A unit's self-assessment in a campaign, with its lock state."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)
    __audited__ = ("status", "submitted_at", "reopened_until")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    status: Mapped[AssessmentStatus] = enum_column(AssessmentStatus, default=AssessmentStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp())
    #: Reopened for the unit, with a reason, until the end of this day (province time).
    reopened_until: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[AdminUnit] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="assessment")


class Score(db.Model):
    """Points of one unit on one sub-criterion: self-assessed, then appraised."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("assessment_id", "node_id"),)
    __audited__ = ("self_points", "explanation", "appraised_points", "appraisal_reason")
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessment.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("framework_node.id"))
    self_points: Mapped[Decimal | None] = mapped_column(Points)
    explanation: Mapped[str | None] = mapped_column(Text)
    appraised_points: Mapped[Decimal | None] = mapped_column(Points)
    appraisal_reason: Mapped[str | None] = mapped_column(Text)

    assessment: Mapped[SelfAssessment] = relationship(back_populates="scores")
    node: Mapped[FrameworkNode] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="score")


class Evidence(db.Model):
    """An evidence document (*tài liệu kiểm chứng*), stored on disk under its checksum."""

    __tablename__ = "evidence"
    __audited__ = ("filename", "sha256")
    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("score.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

    score: Mapped[Score] = relationship(back_populates="evidence")


class AppraisalRound(db.Model):
    """Round 1 → the unit replies → round 2 → final."""

    __tablename__ = "appraisal_round"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)
    __audited__ = ("status",)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[RoundStatus] = enum_column(RoundStatus, default=RoundStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp())


class AppraisalComment(db.Model):
    """An appraiser's decision on a score in a round, or the unit's reply to it."""

    __tablename__ = "appraisal_comment"
    __audited__ = ("points", "body")
    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("score.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("appraisal_round.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(16))  # recognise | adjust | reply
    points: Mapped[Decimal | None] = mapped_column(Points)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
