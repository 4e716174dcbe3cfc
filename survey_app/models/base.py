"""Declarative base, naming convention and column types shared by every model."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def Timestamp():  # noqa: N802 - reads as a column type
    return DateTime(timezone=True)


def enum_column(enum_cls: type[enum.Enum], **kwargs):
    """A portable enum stored as its value string (no native type, no check constraint)."""
    return mapped_column(
        SAEnum(enum_cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e],
               validate_strings=True),
        **kwargs)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
