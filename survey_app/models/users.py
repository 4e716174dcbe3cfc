"""People who sign in, and the roles they hold, each scoped to a unit."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.models.base import CreatedMixin, Timestamp, db, enum_column
from survey_app.models.units import AdminUnit


class Role(enum.Enum):
    ADMIN = "admin"
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ENUMERATOR = "enumerator"
    UNIT_EDITOR = "unit_editor"
    APPRAISER = "appraiser"


class User(UserMixin, CreatedMixin, db.Model):
    __tablename__ = "user_account"
    __audited__ = ("username", "full_name", "email", "active")
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(Timestamp())
    #: Part of every session cookie and remember token; a new one ends all of them.
    session_token: Mapped[str | None] = mapped_column(String(64))

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the id and the
        current session token, so that :meth:`end_sessions` ends them on the server side."""
        if not self.session_token:
            self.session_token = secrets.token_urlsafe(24)
        return f"{self.id}.{self.session_token}"

    def end_sessions(self) -> None:
        """End every session and remember token of this user, in every web process."""
        self.session_token = secrets.token_urlsafe(24)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return any(r.role in roles for r in self.roles)

    def scopes(self, role: Role) -> list[AdminUnit | None]:
        """Units the user holds ``role`` for; ``None`` means the whole platform."""
        return [r.unit for r in self.roles if r.role == role]

    def can_reach(self, role: Role, unit: AdminUnit) -> bool:
        """True when the user holds ``role`` for ``unit`` or for one of its ancestors."""
        return any(scope is None or unit.is_within(scope) for scope in self.scopes(role))

    def primary_role(self) -> Role | None:
        order = list(Role)
        held = sorted((r.role for r in self.roles), key=order.index)
        return held[0] if held else None


class UserRole(db.Model):
    """A role held by a user, limited to a unit and the units below it (none: everywhere)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)
    __audited__ = ("user_id", "role", "unit_id")
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    role: Mapped[Role] = enum_column(Role)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[AdminUnit | None] = relationship(lazy="joined")
