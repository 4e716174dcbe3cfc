"""Questionnaires (*phiếu khảo sát*): immutable published versions with their source."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import CreatedMixin, JSONDocument, Timestamp, db, enum_column


class VersionStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class Questionnaire(CreatedMixin, db.Model):
    __tablename__ = "questionnaire"
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.id")


class QuestionnaireVersion(CreatedMixin, db.Model):
    """One version of a form: the uploaded source file and the definition parsed from it."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)
    __audited__ = ("version", "status", "source_checksum")
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    version: Mapped[str] = mapped_column(String(64))
    status: Mapped[VersionStatus] = enum_column(VersionStatus, default=VersionStatus.DRAFT)
    source_filename: Mapped[str] = mapped_column(String(200))
    source: Mapped[bytes] = mapped_column(LargeBinary)
    source_checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict] = mapped_column(JSONDocument)
    languages: Mapped[list] = mapped_column(JSONDocument, default=list)
    published_at: Mapped[datetime | None] = mapped_column(Timestamp())

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")

    @property
    def title(self) -> str:
        return self.definition.get("title") or self.questionnaire.title
