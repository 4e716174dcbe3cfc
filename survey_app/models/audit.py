"""The audit log: who changed what, when, from what to what.

Models declare ``__audited__`` (the column names worth recording; ``__audited_insert__`` when
an insert needs fewer); a ``before_flush``
listener writes one :class:`AuditEntry` for each insert, update and delete of such a model,
so no route can forget it.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from survey_app.models.base import JSONDocument, Timestamp, db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict | None] = mapped_column(JSONDocument)
    after: Mapped[dict | None] = mapped_column(JSONDocument)


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _current_actor() -> tuple[int | None, str]:
    try:
        from flask_login import current_user
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username
    except RuntimeError:  # outside a request: the CLI or a job
        pass
    return None, "system"


def _changes(obj, columns) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for name in columns:
        hist = state.attrs[name].history
        if hist.has_changes():
            before[name] = _plain(hist.deleted[0]) if hist.deleted else None
            after[name] = _plain(hist.added[0]) if hist.added else None
    return before, after


def _snapshot(obj, columns) -> dict:
    return {name: _plain(getattr(obj, name)) for name in columns}


def _entry(obj, action, before, after) -> AuditEntry:
    user_id, actor = _current_actor()
    return AuditEntry(user_id=user_id, actor=actor, action=action, entity=obj.__tablename__,
                      entity_id=getattr(obj, "id", None), before=before, after=after)


@event.listens_for(Session, "before_flush")
def _audit_before_flush(session, flush_context, instances):
    if session.info.get("skip_audit"):
        return
    entries = []
    for obj in session.dirty:
        columns = getattr(obj, "__audited__", None)
        if columns and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj, columns)
            if after or before:
                entries.append(_entry(obj, "update", before, after))
    for obj in session.deleted:
        columns = getattr(obj, "__audited__", None)
        if columns:
            entries.append(_entry(obj, "delete", _snapshot(obj, columns), None))
    session.info.setdefault("audit_new", []).extend(
        o for o in session.new if getattr(o, "__audited__", None))
    session.add_all(entries)


@event.listens_for(Session, "after_flush_postexec")
def _audit_inserts(session, flush_context):
    """Inserts are logged after the flush, once the new rows have their ids."""
    new = session.info.pop("audit_new", [])
    if new:
        session.add_all(_entry(o, "insert", None, _snapshot(o, inserted_columns(o))) for o in new)


def inserted_columns(model) -> tuple[str, ...]:
    """The columns an insert's entry records: ``__audited_insert__`` where a model keeps a large
    document in its own row (a new row's document is the row itself; its changes are audited
    with before and after), else ``__audited__``."""
    return getattr(model, "__audited_insert__", model.__audited__)


#: With RETURNING, SQLAlchemy sends an executemany as one multi-row INSERT ("insertmanyvalues")
#: from a statement compiled once; without it, as one INSERT per row.
_INSERT = AuditEntry.__table__.insert().returning(AuditEntry.__table__.c.id, sort_by_parameter_order=True)


def write_entries(connection, entries, actor: tuple[int | None, str] | None = None) -> None:
    """Write audit entries directly, for code that changes rows with Core statements (the
    flush hook never sees those): ``entries`` are (action, entity, entity_id, before, after)
    in the order the hook would have written them; ``actor`` (user id, name) defaults to the
    hook's (the signed-in user). One INSERT."""
    if not entries:
        return
    user_id, actor = actor or _current_actor()
    at = utcnow()
    connection.execute(_INSERT, [
        {"at": at, "user_id": user_id, "actor": actor, "action": action, "entity": entity,
         "entity_id": entity_id, "before": before, "after": after}
        for action, entity, entity_id, before, after in entries])
