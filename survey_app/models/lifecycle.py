"""A campaign's lifecycle: per-round deadlines, the appraisal council and its sign-offs, and the
changes made with a reason (*gia hạn*, *mở lại*, *chuyển giai đoạn*)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Timestamp, db, utcnow
from survey_app.models.units import AdminUnit
from survey_app.models.users import User


class RoundDeadline(db.Model):
    """The deadline of one appraisal round of a campaign (*hạn thẩm định lần N*)."""

    __tablename__ = "round_deadline"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)
    __audited__ = ("number", "due")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    number: Mapped[int] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)


class CouncilMember(db.Model):
    """An appraiser who sits on a campaign's appraisal council (*thành viên hội đồng thẩm định*)."""

    __tablename__ = "council_member"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)
    __audited__ = ("campaign_id", "user_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship()


class CouncilAssignment(db.Model):
    """The council member who appraises one unit of a campaign (*phân công thẩm định*)."""

    __tablename__ = "council_assignment"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)
    __audited__ = ("unit_id", "user_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    unit: Mapped[AdminUnit] = relationship()
    user: Mapped[User] = relationship()


class UnitSignOff(db.Model):
    """An appraiser's signature under a unit's complete decisions (*ký xác nhận kết quả thẩm định*)."""

    __tablename__ = "unit_sign_off"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)
    __audited__ = ("unit_id", "user_id", "round_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("appraisal_round.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

    user: Mapped[User | None] = relationship()


class LifecycleChange(db.Model):
    """A change to a campaign's course made with its reason: a transition, a deadline extended,
    a unit's self-assessment reopened, earlier decisions overwritten by a bulk action."""

    __tablename__ = "lifecycle_change"
    __audited__ = ("kind", "target", "unit_id", "before", "after", "reason")
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # advance | extend | reopen | overwrite
    target: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    before: Mapped[str | None] = mapped_column(String(64))
    after: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

    unit: Mapped[AdminUnit | None] = relationship()
    user: Mapped[User | None] = relationship()
