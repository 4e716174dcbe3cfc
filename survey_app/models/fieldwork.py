"""Fieldwork control: enumerators' device tokens, sync receipts, quality flags and back-checks.

A device token (*mã thiết bị*) lets the offline collector send interviews without a session or a
form's CSRF token; only its SHA-256 hash is stored, so a leaked database does not leak tokens.
Quality flags (*cảnh báo chất lượng*) never change a submission: they are read by supervisors and
by the analysis as exclusions with a reason.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import CreatedMixin, JSONDocument, Timestamp, db, enum_column, utcnow
from survey_app.models.submissions import Submission, SubmissionEdit
from survey_app.models.users import User


class DeviceToken(CreatedMixin, db.Model):
    """A phone or browser registered by an enumerator for offline work, until revoked."""

    __tablename__ = "device_token"
    __audited__ = ("user_id", "label", "revoked_at")
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    last_sync_at: Mapped[datetime | None] = mapped_column(Timestamp())
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp())

    user: Mapped[User] = relationship()


class SyncReceipt(db.Model):
    """One accepted send, keyed by the client's UUID: the interview's or its correction's.

    A second send with the same key and the same answers gets the same acknowledgement and
    stores nothing; with other answers it is refused and kept aside (:class:`SubmissionConflict`).
    ``answers_digest`` is the SHA-256 of the answers as the client sent them (canonical JSON);
    receipts written before it existed hold ``NULL``, which matches any resend.
    """

    __tablename__ = "sync_receipt"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(64), unique=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    submission_edit_id: Mapped[int | None] = mapped_column(ForeignKey("submission_edit.id"))
    device_token_id: Mapped[int | None] = mapped_column(ForeignKey("device_token.id"))
    received_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    answers_digest: Mapped[str | None] = mapped_column(String(64))


#: Why a send was kept aside (:attr:`SubmissionConflict.reason`).
SAME_UUID, CASE_COMPLETED = "same_uuid", "case_completed"


class ConflictStatus(enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"


class SubmissionConflict(db.Model):
    """A send refused because its client UUID was already received with other answers (or from
    another enumerator), or because its case was already completed (``reason``
    ``case_completed``: by another interview or by the household's own answer), kept aside as sent for a supervisor to compare with the stored
    interview (*phiếu gửi trùng mã*): resolved by keeping the stored answers, or by applying
    these as an edit of the original (``submission_edit_id``). One row per UUID and answers,
    however often the phone resends them.
    """

    __tablename__ = "submission_conflict"
    __table_args__ = (UniqueConstraint("client_uuid", "answers_digest"),)
    __audited__ = ("status", "note", "submission_edit_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(64))
    answers_digest: Mapped[str] = mapped_column(String(64))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24), default=SAME_UUID, server_default=SAME_UUID)
    enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    device_token_id: Mapped[int | None] = mapped_column(ForeignKey("device_token.id"))
    received_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    answers: Mapped[dict] = mapped_column(JSONDocument)
    paradata: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    status: Mapped[ConflictStatus] = enum_column(ConflictStatus, default=ConflictStatus.OPEN, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp())
    note: Mapped[str | None] = mapped_column(Text)
    submission_edit_id: Mapped[int | None] = mapped_column(ForeignKey("submission_edit.id"))

    submission: Mapped[Submission] = relationship()
    enumerator: Mapped[User | None] = relationship(foreign_keys=[enumerator_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    submission_edit: Mapped[SubmissionEdit | None] = relationship()


class QualitySettings(db.Model):
    """Thresholds of the intake checks for one questionnaire (one row; defaults otherwise)."""

    __tablename__ = "quality_settings"
    __audited__ = ("min_seconds_per_question", "straightline_share", "earliest_hour",
                   "latest_hour", "location_radius_m", "max_at_location", "off_area_km",
                   "backcheck_keys")
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), unique=True)
    min_seconds_per_question: Mapped[float] = mapped_column(Float, default=4.0)
    straightline_share: Mapped[float] = mapped_column(Float, default=0.8)
    earliest_hour: Mapped[int] = mapped_column(Integer, default=6)
    latest_hour: Mapped[int] = mapped_column(Integer, default=21)
    location_radius_m: Mapped[float] = mapped_column(Float, default=30.0)
    max_at_location: Mapped[int] = mapped_column(Integer, default=5)
    off_area_km: Mapped[float] = mapped_column(Float, default=5.0)
    backcheck_keys: Mapped[list] = mapped_column(JSONDocument, default=list)


class QualityFlag(CreatedMixin, db.Model):
    """A reason to doubt a submission, found on intake; ``excluded`` feeds the analysis."""

    __tablename__ = "quality_flag"
    __table_args__ = (UniqueConstraint("submission_id", "rule"),)
    __audited__ = ("rule", "excluded")
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    excluded: Mapped[bool] = mapped_column(Boolean, default=True)

    submission: Mapped[Submission] = relationship()


class IdentityKey(db.Model):
    """A normalised phone, name or address fingerprint of a submission, to find the same
    respondent twice in a campaign with one indexed query."""

    __tablename__ = "identity_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), index=True)


class SubmissionPlace(db.Model):
    """Where an interview was recorded (from the device's geolocation), for location checks."""

    __tablename__ = "submission_place"
    #: The checks on intake read an enumerator's positions near a point, and a village's.
    __table_args__ = (Index("ix_submission_place_campaign_enumerator_lat", "campaign_id", "enumerator_id", "lat"),
                      Index("ix_submission_place_campaign_cluster", "campaign_id", "cluster"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cluster: Mapped[str | None] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)


class BackCheck(CreatedMixin, db.Model):
    """A completed interview drawn for re-contact (*phúc tra*); the re-asked answers and how
    many of them agree with the original."""

    __tablename__ = "back_check"
    __table_args__ = (UniqueConstraint("submission_id"),)
    __audited__ = ("answers", "agreement")
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    keys: Mapped[list] = mapped_column(JSONDocument, default=list)
    answers: Mapped[dict | None] = mapped_column(JSONDocument)
    agreement: Mapped[float | None] = mapped_column(Float)
    checked_at: Mapped[datetime | None] = mapped_column(Timestamp())

    submission: Mapped[Submission] = relationship()
