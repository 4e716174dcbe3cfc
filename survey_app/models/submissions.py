"""Submissions (*phiếu trả lời*): answers as one JSON document, with review and edit history."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import JSONDocument, Timestamp, db, enum_column, utcnow
from survey_app.models.collection import SampleCase
from survey_app.models.questionnaires import QuestionnaireVersion
from survey_app.models.units import AdminUnit


class Channel(enum.Enum):
    """How a submission came in. ``open_link``: a campaign's public link, no code, so the
    respondent chose themselves (self-selected, not a sample)."""

    WEB_LINK = "web_link"
    INVITATION = "invitation"
    ENUMERATOR = "enumerator"
    OPEN_LINK = "open_link"


class ReviewState(enum.Enum):
    RECEIVED = "received"
    HAS_ISSUES = "has_issues"
    EDITED = "edited"
    REJECTED = "rejected"
    APPROVED = "approved"


class Submission(db.Model):
    """One completed questionnaire, identified by the client's instance UUID.

    The UUID is unique per questionnaire, so a retried or doubled send is stored once. A
    sampled case holds one interview per respondent line (``respondent_line``, 1 unless the
    campaign's sampling plan allows several respondents per household): the unique pair
    (case, line) makes a second interview of a completed case fail even when two arrive at once.
    """

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("questionnaire_id", "instance_uuid"),
                      UniqueConstraint("case_id", "respondent_line"))
    __audited__ = ("review_state", "answers")
    #: The answers as received are the row; an edit's entry keeps them as ``before``.
    __audited_insert__ = ("review_state",)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(64))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    channel: Mapped[Channel] = enum_column(Channel)
    enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("sample_case.id"))
    respondent_line: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSONDocument)
    paradata: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    started_at: Mapped[datetime | None] = mapped_column(Timestamp())
    submitted_at: Mapped[datetime | None] = mapped_column(Timestamp())
    received_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    review_state: Mapped[ReviewState] = enum_column(ReviewState, default=ReviewState.RECEIVED)
    receipt: Mapped[str | None] = mapped_column(String(32), unique=True)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    unit: Mapped[AdminUnit] = relationship()
    case: Mapped[SampleCase | None] = relationship()
    edits: Mapped[list[SubmissionEdit]] = relationship(
        back_populates="submission", order_by="SubmissionEdit.id")
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="submission", order_by="ReviewComment.id")


class SubmissionEdit(db.Model):
    """A change to a submission's answers; the original answers stay in the first edit's ``before``."""

    __tablename__ = "submission_edit"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    before: Mapped[dict] = mapped_column(JSONDocument)
    after: Mapped[dict] = mapped_column(JSONDocument)
    reason: Mapped[str | None] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="edits")


class ReviewComment(db.Model):
    """A supervisor's comment, possibly moving the review state."""

    __tablename__ = "review_comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    #: The question the comment is about (its answer key), where the correction opens on the phone.
    question: Mapped[str | None] = mapped_column(String(128))
    state_to: Mapped[ReviewState | None] = enum_column(ReviewState, nullable=True)

    submission: Mapped[Submission] = relationship(back_populates="comments")
