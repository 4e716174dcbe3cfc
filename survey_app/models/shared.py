"""What every web process and worker must see alike, kept in the database: the files of the
shared file store (:mod:`survey_app.filestore`) and the state of background jobs
(:mod:`survey_app.tasks`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import JSONDocument, Timestamp, db, utcnow


class StoredFile(db.Model):
    """A file of the database store, named by the SHA-256 of its bytes; the bytes are in
    :class:`StoredFilePart` rows of at most ``filestore.PART_BYTES`` each, so a large export is
    written and read a part at a time."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)


class StoredFilePart(db.Model):
    __tablename__ = "stored_file_part"

    sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Job(db.Model):
    """A background job: who started it, how far it is, and the file it made (in the file store)."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    #: The file's name as downloaded (its suffix gives the type) and its SHA-256 in the file store.
    filename: Mapped[str | None] = mapped_column(String(120))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp())
