"""Answers in progress, kept on the server so a respondent can stop and resume with the same code."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import JSONDocument, Timestamp, db, utcnow
from survey_app.models.collection import Invitation


class ResponseDraft(db.Model):
    """The unfinished answers of one invitation (*phiếu đang trả lời*), with the instance UUID
    the submission will carry, fixed when the questionnaire is opened.

    A draft opened from a campaign's open link has no invitation: it names its campaign, unit
    and questionnaire version itself, and the visitor's signed session cookie points to it.
    """

    __tablename__ = "response_draft"
    __table_args__ = (UniqueConstraint("invitation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    questionnaire_version_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_version.id"))
    instance_uuid: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    paradata: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    started_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow, onupdate=utcnow)

    invitation: Mapped[Invitation | None] = relationship()
