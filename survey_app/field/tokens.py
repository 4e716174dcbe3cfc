"""Device tokens (*mã thiết bị*): how the offline collector signs its sends.

The token is 32 random bytes shown to the device once; the server keeps only its SHA-256
hash (a token is high-entropy, so a fast hash is enough: nothing to brute-force), and a
revoked token or a deactivated enumerator is refused at once.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import wraps

from flask import abort, g, request
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload

from survey_app.extensions import db
from survey_app.models import DeviceToken, Role, User, UserRole
from survey_app.models.base import utcnow


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, label: str) -> tuple[DeviceToken, str]:
    """A new device token for ``user``; returns the row and the plain token (shown once)."""
    plain = secrets.token_urlsafe(32)
    row = DeviceToken(user=user, token_hash=digest(plain), label=label[:200])
    db.session.add(row)
    return row, plain


def revoke(row: DeviceToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def device_key() -> str | None:
    """A rate-limit key for the request's device: its token's hash (never the token)."""
    plain = _bearer()
    return "device:" + digest(plain) if plain else None


def authenticate() -> DeviceToken | None:
    """The live device token of the request's ``Authorization: Bearer`` header, if any.

    One query: the token, its user and the user's roles (with their units) come together,
    since every send is authenticated this way.
    """
    plain = _bearer()
    if not plain:
        return None
    row = db.session.scalars(
        select(DeviceToken).where(DeviceToken.token_hash == digest(plain))
        .options(joinedload(DeviceToken.user).joinedload(User.roles))).unique().one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    user = row.user
    if not user.active or not user.has_role(Role.ENUMERATOR):
        return None
    return row


def device_required(view):
    """Open a JSON view to a live device token; ``g.device`` and ``g.enumerator`` are set."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        row = authenticate()
        if row is None:
            abort(401)
        g.device, g.enumerator = row, row.user
        return view(*args, **kwargs)
    return wrapped


@dataclass(frozen=True)
class SendingDevice:
    """A live device token as the intake needs it: plain values, read in one Core query."""

    id: int
    user_id: int
    username: str
    #: The units the enumerator holds the role for (``None``: everywhere).
    scopes: tuple[int | None, ...]


_SENDING = (select(DeviceToken.id, DeviceToken.user_id, DeviceToken.revoked_at, User.username, User.active,
                   UserRole.unit_id,
                   UserRole.id.label("role_id"))
            .join(User, User.id == DeviceToken.user_id)
            .outerjoin(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.ENUMERATOR))
            .where(DeviceToken.token_hash == bindparam("token_hash")))


def authenticate_sending(autocommit: bool = False) -> SendingDevice | None:
    """Like :func:`authenticate` (same refusals: no token, unknown, revoked, inactive user, no
    enumerator role), without loading ORM objects: the token, its user and the user's
    enumerator roles in one query.

    ``autocommit``: on PostgreSQL, the request's connection reads outside a transaction (for
    the intake of interviews, whose writes are one statement); elsewhere it has no effect.
    """
    plain = _bearer()
    if not plain:
        return None
    connection = (db.session.connection(execution_options=_AUTOCOMMIT)
                  if autocommit and db.engine.dialect.name == "postgresql" else db.session.connection())
    rows = connection.execute(_SENDING, {"token_hash": digest(plain)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked_at is not None or not first.active or first.role_id is None:
        return None
    return SendingDevice(first.id, first.user_id, first.username, tuple(r.unit_id for r in rows))


_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def device_sending(view=None, *, autocommit: bool = False):
    """:func:`device_required` for the offline collector's sends: ``g.device`` is a
    :class:`SendingDevice` (no ORM objects; ``g.enumerator`` is not set). Used bare, or as
    ``@device_sending(autocommit=True)`` (see :func:`authenticate_sending`)."""
    def decorate(function):
        @wraps(function)
        def wrapped(*args, **kwargs):
            row = authenticate_sending(autocommit)
            if row is None:
                abort(401)
            g.device = row
            return function(*args, **kwargs)
        return wrapped
    return decorate(view) if view is not None else decorate
