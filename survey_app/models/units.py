"""Administrative units (*đơn vị hành chính* and agencies) as a tree of configurable levels."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import db


class UnitLevel(db.Model):
    """A level of the tree (province, department, district, commune, ward…), *cấp*."""

    __tablename__ = "unit_level"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    rank: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


class AdminUnit(db.Model):
    """A unit with its official code, valid for the years ``valid_from``..``valid_to``."""

    __tablename__ = "admin_unit"
    __table_args__ = (UniqueConstraint("code", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level_id: Mapped[int] = mapped_column(ForeignKey("unit_level.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    valid_from: Mapped[int] = mapped_column(Integer, default=1900)
    valid_to: Mapped[int | None] = mapped_column(Integer)

    level: Mapped[UnitLevel] = relationship()
    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[AdminUnit]] = relationship(back_populates="parent")
    population: Mapped[list[UnitPopulation]] = relationship(
        back_populates="unit", cascade="all, delete-orphan")

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def ancestors(self) -> list[AdminUnit]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def is_within(self, other: AdminUnit) -> bool:
        """True when ``other`` is this unit or one of its ancestors."""
        return other.id == self.id or any(a.id == other.id for a in self.ancestors())

    def __repr__(self) -> str:
        return f"<AdminUnit {self.code} {self.name}>"


class UnitSuccession(db.Model):
    """A merger, split or rename: ``predecessor`` became (part of) ``successor`` in ``year``."""

    __tablename__ = "unit_succession"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    successor_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    year: Mapped[int] = mapped_column(Integer)

    predecessor: Mapped[AdminUnit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[AdminUnit] = relationship(foreign_keys=[successor_id])


class UnitPopulation(db.Model):
    """Adult population of a unit by sex and age group, the weighting targets (*dân số*)."""

    __tablename__ = "unit_population"
    __table_args__ = (UniqueConstraint("unit_id", "year", "sex", "age_group"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(16))
    age_group: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)

    unit: Mapped[AdminUnit] = relationship(back_populates="population")
