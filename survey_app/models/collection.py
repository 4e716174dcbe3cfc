"""Who is asked: respondents, invitations, sample lists, cases and their assignments."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import CreatedMixin, JSONDocument, Timestamp, db, enum_column, utcnow
from survey_app.models.units import AdminUnit
from survey_app.models.users import User


class RespondentKind(enum.Enum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"
    CIVIL_SERVANT = "civil_servant"
    LEADER = "leader"


class CaseStatus(enum.Enum):
    PENDING = "pending"
    NO_CONTACT = "no_contact"
    REFUSED = "refused"
    INELIGIBLE = "ineligible"
    COMPLETED = "completed"
    REPLACED = "replaced"
    #: A visit's outcome only: the household answered its invitation letter by itself (*tự trả lời*);
    #: the case is then ``COMPLETED``.
    SELF_COMPLETED = "self_completed"


class Respondent(CreatedMixin, db.Model):
    """A person or organisation listed for a campaign (*người được khảo sát*)."""

    __tablename__ = "respondent"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    kind: Mapped[RespondentKind] = enum_column(RespondentKind, default=RespondentKind.CITIZEN)
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    sex: Mapped[str | None] = mapped_column(String(16))
    age_group: Mapped[str | None] = mapped_column(String(16))


class Invitation(CreatedMixin, db.Model):
    """A single-use code on an invitation letter or QR (*mã mời*).

    An invitation issued for a sampled case (``case_id``) is that household's questionnaire,
    delivered by post (mixed mode): its answer completes the case with the case's weight.
    ``withdrawn_at``: the supervisor switched the case to an interview at the door, and the code
    no longer opens the questionnaire.

    ``expires_at`` (optional) is the first moment the code no longer opens the questionnaire;
    a questionnaire started before then may still be finished for a grace period
    (:data:`survey_app.invitations.status.GRACE`).
    """

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondent.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("sample_case.id"), unique=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(Timestamp())
    used_at: Mapped[datetime | None] = mapped_column(Timestamp())
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp())

    unit: Mapped[AdminUnit] = relationship()
    case: Mapped[SampleCase | None] = relationship()


class SampleList(CreatedMixin, db.Model):
    """A drawn or imported sample of a campaign (*danh sách mẫu*), with how it was made."""

    __tablename__ = "sample_list"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(32))
    parameters: Mapped[dict] = mapped_column(JSONDocument, default=dict)

    cases: Mapped[list[SampleCase]] = relationship(back_populates="sample_list")


class SampleCase(db.Model):
    """One selected household or person, its design variables and its fieldwork status."""

    __tablename__ = "sample_case"
    __audited__ = ("status", "replaced_by_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    sample_list_id: Mapped[int] = mapped_column(ForeignKey("sample_list.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondent.id"))
    label: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    stratum: Mapped[str] = mapped_column(String(64))
    cluster: Mapped[str | None] = mapped_column(String(64))
    selection_probability: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float | None] = mapped_column(Float)
    status: Mapped[CaseStatus] = enum_column(CaseStatus, default=CaseStatus.PENDING)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("sample_case.id"))

    sample_list: Mapped[SampleList] = relationship(back_populates="cases")
    unit: Mapped[AdminUnit] = relationship()
    assignment: Mapped[Assignment | None] = relationship(back_populates="case", uselist=False)
    attempts: Mapped[list[VisitAttempt]] = relationship(back_populates="case")
    replaced_by: Mapped[SampleCase | None] = relationship(remote_side=[id], foreign_keys=[replaced_by_id])


class Assignment(db.Model):
    """A case given to an enumerator (*phân công*)."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("case_id"),)
    __audited__ = ("case_id", "enumerator_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sample_case.id"))
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

    case: Mapped[SampleCase] = relationship(back_populates="assignment")
    enumerator: Mapped[User] = relationship()


class VisitAttempt(db.Model):
    """One visit to a case and what came of it.

    A visit recorded offline carries the device's UUID (``client_uuid``, unique: a repeated
    send stores nothing), the device's time in ``at`` and its place; ``received_at`` is when
    the server got it, which may be hours later.
    """

    __tablename__ = "visit_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sample_case.id"), index=True)
    #: ``None`` for a self-completed visit (the household answered its letter).
    enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    outcome: Mapped[CaseStatus] = enum_column(CaseStatus)
    note: Mapped[str | None] = mapped_column(Text)
    attempt_number: Mapped[int] = mapped_column(Integer, default=1)
    client_uuid: Mapped[str | None] = mapped_column(String(64), unique=True)
    device_token_id: Mapped[int | None] = mapped_column(ForeignKey("device_token.id"))
    received_at: Mapped[datetime | None] = mapped_column(Timestamp())
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)

    case: Mapped[SampleCase] = relationship(back_populates="attempts")
