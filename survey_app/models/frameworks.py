"""Index frameworks (*bộ chỉ số*): versioned trees field → criterion → sub-criterion."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import JSONDocument, Timestamp, db, enum_column, utcnow

Points = Numeric(8, 3)


class NodeKind(enum.Enum):
    FIELD = "field"                  # lĩnh vực
    CRITERION = "criterion"          # tiêu chí
    SUB_CRITERION = "sub_criterion"  # tiêu chí thành phần


class ScoringMethod(enum.Enum):
    SELF_ASSESSED = "self_assessed"
    SURVEY = "survey"
    BONUS = "bonus"
    PENALTY = "penalty"


class Framework(db.Model):
    """One version of a framework, kept with the data file it was loaded from."""

    __tablename__ = "framework"
    __table_args__ = (UniqueConstraint("code", "version"),)
    __audited__ = ("code", "version", "checksum")
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    source_filename: Mapped[str] = mapped_column(String(200))
    source: Mapped[bytes] = mapped_column(LargeBinary)
    checksum: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict] = mapped_column(JSONDocument)
    loaded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

    nodes: Mapped[list[FrameworkNode]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", order_by="FrameworkNode.position")

    def roots(self, level: str) -> list[FrameworkNode]:
        return [n for n in self.nodes if n.level == level and n.parent_id is None]

    def leaves(self, level: str) -> list[FrameworkNode]:
        return [n for n in self.nodes if n.level == level and n.kind is NodeKind.SUB_CRITERION]


class FrameworkNode(db.Model):
    """A field, criterion or sub-criterion of one level, with its maximum points.

    Leaves carry the scoring method; survey-scored leaves carry the survey indicator they
    use and the conversion rule, as written in the framework file.
    """

    __tablename__ = "framework_node"
    __table_args__ = (UniqueConstraint("framework_id", "level", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    level: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("framework_node.id"))
    kind: Mapped[NodeKind] = enum_column(NodeKind)
    code: Mapped[str] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    max_points: Mapped[Decimal] = mapped_column(Points)
    method: Mapped[ScoringMethod | None] = enum_column(ScoringMethod, nullable=True)
    step: Mapped[Decimal | None] = mapped_column(Points)
    survey: Mapped[dict | None] = mapped_column(JSONDocument)
    guidance: Mapped[str | None] = mapped_column(Text)
    province_choice: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="nodes")
    parent: Mapped[FrameworkNode | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[FrameworkNode]] = relationship(
        back_populates="parent", order_by="FrameworkNode.position")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi
