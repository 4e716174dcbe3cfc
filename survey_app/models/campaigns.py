"""Campaigns: one survey round of a province for one year (*đợt khảo sát, đánh giá*)."""
from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import CreatedMixin, JSONDocument, db, enum_column
from survey_app.models.frameworks import Framework
from survey_app.models.questionnaires import QuestionnaireVersion
from survey_app.models.units import AdminUnit


class CampaignStatus(enum.Enum):
    """The states of a campaign's year, in order (:mod:`survey_app.campaigns.lifecycle`)."""

    DRAFT = "draft"
    SELF_ASSESSMENT = "self_assessment"
    APPRAISAL = "appraisal"
    FIELDWORK = "fieldwork"
    ANALYSIS = "analysis"
    PUBLISHED = "published"


STATUS_ORDER = list(CampaignStatus)


class Campaign(CreatedMixin, db.Model):
    __tablename__ = "campaign"
    __audited__ = ("code", "title", "status", "framework_id", "self_assessment_deadline",
                   "appraisal_deadline", "fieldwork_start", "fieldwork_end", "sampling_plan",
                   "open_link", "helpline")
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    status: Mapped[CampaignStatus] = enum_column(CampaignStatus, default=CampaignStatus.DRAFT)
    sampling_plan: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    fieldwork_start: Mapped[date | None] = mapped_column(Date)
    fieldwork_end: Mapped[date | None] = mapped_column(Date)
    self_assessment_deadline: Mapped[date | None] = mapped_column(Date)
    appraisal_deadline: Mapped[date | None] = mapped_column(Date)
    #: Anyone may answer the citizens' questionnaire from the public link of a unit, without a
    #: code (self-selected answers, stored with the channel ``open_link``).
    open_link: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: Unit editors may open their own unit's draft results before publication (always after).
    units_see_results: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: The telephone number respondents may call, printed on the pages of a used or expired code.
    helpline: Mapped[str | None] = mapped_column(String(64))

    province: Mapped[AdminUnit] = relationship()
    framework: Mapped[Framework] = relationship()
    units: Mapped[list[CampaignUnit]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan")
    questionnaires: Mapped[list[CampaignQuestionnaire]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan")


class CampaignUnit(db.Model):
    """A unit assessed in a campaign, at the framework level it is scored on."""

    __tablename__ = "campaign_unit"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    framework_level: Mapped[str] = mapped_column(String(32))
    target_sample: Mapped[int | None] = mapped_column(Integer)

    campaign: Mapped[Campaign] = relationship(back_populates="units")
    unit: Mapped[AdminUnit] = relationship()


class CampaignQuestionnaire(db.Model):
    """A questionnaire version used in a campaign, for one audience."""

    __tablename__ = "campaign_questionnaire"
    __table_args__ = (UniqueConstraint("campaign_id", "questionnaire_version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    audience: Mapped[str] = mapped_column(String(32))

    campaign: Mapped[Campaign] = relationship(back_populates="questionnaires")
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
