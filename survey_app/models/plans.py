"""Improvement plans (*Kế hoạch cải thiện Chỉ số CCHC*): what a province sets out to do once its
index is published, who leads each task, and how each period's progress is reported.

A plan starts from a publication (the results it improves on) and is followed up against the
next year's publication. Targets name what is to be reached; tasks say what is to be done, by
whom, for which sub-criteria; reporting periods (quarters, half-years, the year) collect one
progress report per task from its lead unit. The national indices a province is ranked on
(PAR Index, SIPAS, PAPI, PCI) are kept as entered or imported results, a row per year.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import CreatedMixin, Timestamp, db, enum_column, utcnow
from survey_app.models.frameworks import FrameworkNode
from survey_app.models.publications import Publication
from survey_app.models.units import AdminUnit
from survey_app.models.users import User

Figure = Numeric(9, 3)


class PlanStatus(enum.Enum):
    DRAFT = "draft"        # being written by the Department of Home Affairs
    ISSUED = "issued"      # signed and sent: units see their tasks and report on them
    CLOSED = "closed"      # the year is over; nothing changes any more


class TargetKind(enum.Enum):
    """What a target measures (the kinds the provinces' plans use)."""
    INDEX_PERCENT = "index_percent"          # the unit's index as % of the maximum, at least value
    GRADE = "grade"                          # a class (*xếp loại*) code, at least that class
    RANK = "rank"                            # rank among units of the same level, at most value
    PLACES_GAINED = "places_gained"          # places up from the base year's rank, at least value
    FIELD_PERCENT = "field_percent"          # a field's (*lĩnh vực*) points as % of its maximum
    SURVEY_INDICATOR = "survey_indicator"    # a survey indicator (e.g. SIPAS % satisfied), at least
    NATIONAL_SCORE = "national_score"        # a national index's score, at least value
    NATIONAL_RANK = "national_rank"          # a national index's rank, at most value
    NATIONAL_GROUP = "national_group"        # a national index's group (e.g. PAPI "top group")


class NationalIndex(enum.Enum):
    """The national indices a province is ranked on."""
    PAR_INDEX = "par_index"   # Chỉ số CCHC (Bộ Nội vụ)
    SIPAS = "sipas"           # Chỉ số hài lòng (Bộ Nội vụ)
    PAPI = "papi"             # Chỉ số Hiệu quả quản trị và hành chính công cấp tỉnh (UNDP)
    PCI = "pci"               # Chỉ số năng lực cạnh tranh cấp tỉnh (VCCI)


class PeriodKind(enum.Enum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class TaskProgress(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    AT_RISK = "at_risk"


class NationalIndexResult(CreatedMixin, db.Model):
    """A province's result on a national index in one year (entered or imported from CSV)."""

    __tablename__ = "national_index_result"
    __table_args__ = (UniqueConstraint("national_index", "year", "province"),)
    __audited__ = ("national_index", "year", "province", "score", "rank", "group_name")
    id: Mapped[int] = mapped_column(primary_key=True)
    national_index: Mapped[NationalIndex] = enum_column(NationalIndex)
    year: Mapped[int] = mapped_column(Integer)
    #: The province as the national index names it (its code or name in the published table).
    province: Mapped[str] = mapped_column(String(120))
    score: Mapped[Decimal | None] = mapped_column(Figure)
    rank: Mapped[int | None] = mapped_column(Integer)
    #: The group the index places the province in (e.g. PAPI's "Nhóm cao nhất").
    group_name: Mapped[str | None] = mapped_column(String(64))


class ImprovementPlan(CreatedMixin, db.Model):
    """One year's improvement plan of a province, starting from a publication's results."""

    __tablename__ = "improvement_plan"
    __audited__ = ("code", "title", "year", "status", "number", "issued_on", "issuing_body",
                   "signer", "purpose", "organisation")
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: The year the plan is carried out in (the base publication's year + 1, as a rule).
    year: Mapped[int] = mapped_column(Integer)
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    base_publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id"))
    status: Mapped[PlanStatus] = enum_column(PlanStatus, default=PlanStatus.DRAFT)
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    #: The document number (*số ký hiệu*), e.g. ``125/KH-UBND``.
    number: Mapped[str | None] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    signer: Mapped[str | None] = mapped_column(String(200))
    #: I. Mục đích, yêu cầu.
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: III. Tổ chức thực hiện.
    organisation: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    province: Mapped[AdminUnit] = relationship()
    base_publication: Mapped[Publication] = relationship()
    created_by: Mapped[User | None] = relationship()
    targets: Mapped[list[PlanTarget]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanTarget.id")
    tasks: Mapped[list[PlanTask]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanTask.number")
    periods: Mapped[list[ReportingPeriod]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="ReportingPeriod.due_on")


class PlanTarget(db.Model):
    """A target of the plan for the province or one unit (*mục tiêu*)."""

    __tablename__ = "plan_target"
    __audited__ = ("unit_id", "kind", "subject", "value", "national_index")
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    kind: Mapped[TargetKind] = enum_column(TargetKind)
    #: What the kind needs to be exact: a field's code (FIELD_PERCENT), an indicator's code
    #: (SURVEY_INDICATOR); empty otherwise.
    subject: Mapped[str] = mapped_column(String(64), default="")
    #: The value to reach, as written (a number, a class code, a group name).
    value: Mapped[str] = mapped_column(String(64))
    national_index: Mapped[NationalIndex | None] = enum_column(NationalIndex, nullable=True)
    #: The value in the base publication (or the national index's last year), for the plan's text.
    baseline: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[ImprovementPlan] = relationship(back_populates="targets")
    unit: Mapped[AdminUnit] = relationship()


class PlanTask(db.Model):
    """A task of the plan (*nhiệm vụ*): what to do, for which sub-criteria, led by one unit."""

    __tablename__ = "plan_task"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    __audited__ = ("number", "title", "lead_unit_id", "deadline", "expected_points",
                   "national_index", "national_component", "accepted_at")
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date)
    expected_points: Mapped[Decimal | None] = mapped_column(Figure)
    #: The national index and its component (e.g. PAPI, "Trách nhiệm giải trình") the task serves.
    national_index: Mapped[NationalIndex | None] = enum_column(NationalIndex, nullable=True)
    national_component: Mapped[str | None] = mapped_column(String(200))
    #: ``planner`` when drafted from the planner's losses, ``manual`` otherwise.
    source: Mapped[str] = mapped_column(String(16), default="manual")
    accepted_at: Mapped[datetime | None] = mapped_column(Timestamp())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan: Mapped[ImprovementPlan] = relationship(back_populates="tasks")
    lead_unit: Mapped[AdminUnit] = relationship(foreign_keys=[lead_unit_id])
    accepted_by: Mapped[User | None] = relationship()
    criteria: Mapped[list[PlanTaskCriterion]] = relationship(
        back_populates="task", cascade="all, delete-orphan")
    partners: Mapped[list[PlanTaskPartner]] = relationship(
        back_populates="task", cascade="all, delete-orphan")
    reports: Mapped[list[ProgressReport]] = relationship(
        back_populates="task", cascade="all, delete-orphan")


class PlanTaskCriterion(db.Model):
    """A sub-criterion a task serves, with the points at stake in the base year."""

    __tablename__ = "plan_task_criterion"
    __table_args__ = (UniqueConstraint("task_id", "node_id"),)
    __audited__ = ("task_id", "node_id", "unit_id", "points_at_stake")
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("framework_node.id"))
    points_at_stake: Mapped[Decimal | None] = mapped_column(Figure)
    #: The unit whose points are at stake (the follow-up compares its result); the task's lead
    #: unit when empty.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))

    task: Mapped[PlanTask] = relationship(back_populates="criteria")
    node: Mapped[FrameworkNode] = relationship()
    unit: Mapped[AdminUnit | None] = relationship()


class PlanTaskPartner(db.Model):
    """A unit cooperating on a task (*đơn vị phối hợp*)."""

    __tablename__ = "plan_task_partner"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)
    __audited__ = ("task_id", "unit_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))

    task: Mapped[PlanTask] = relationship(back_populates="partners")
    unit: Mapped[AdminUnit] = relationship()


class ReportingPeriod(db.Model):
    """A reporting period of the plan (*kỳ báo cáo*): its span and the date reports are due."""

    __tablename__ = "reporting_period"
    __table_args__ = (UniqueConstraint("plan_id", "label"),)
    __audited__ = ("kind", "label", "starts_on", "ends_on", "due_on", "closed_at")
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plan.id"), index=True)
    kind: Mapped[PeriodKind] = enum_column(PeriodKind)
    #: As the documents say it, e.g. ``Quý I năm 2025``.
    label: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    #: Once closed, the period's reports are frozen.
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp())

    plan: Mapped[ImprovementPlan] = relationship(back_populates="periods")
    reports: Mapped[list[ProgressReport]] = relationship(back_populates="period")


class ProgressReport(db.Model):
    """A lead unit's report on one task for one period (*báo cáo tiến độ*)."""

    __tablename__ = "progress_report"
    __table_args__ = (UniqueConstraint("task_id", "period_id"),)
    __audited__ = ("status", "account", "submitted_at")
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    status: Mapped[TaskProgress] = enum_column(TaskProgress, default=TaskProgress.NOT_STARTED)
    account: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    task: Mapped[PlanTask] = relationship(back_populates="reports")
    period: Mapped[ReportingPeriod] = relationship(back_populates="reports")
    submitted_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[ProgressEvidence]] = relationship(
        back_populates="report", cascade="all, delete-orphan")


class ProgressEvidence(db.Model):
    """A file attached to a progress report, stored as self-assessment evidence is (by SHA-256)."""

    __tablename__ = "progress_evidence"
    __audited__ = ("report_id", "filename", "content_type", "size", "sha256")
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_report.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")
