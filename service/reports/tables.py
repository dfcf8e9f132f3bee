"""The complaint store's tables, engine and migrations (SQLAlchemy 2; SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, create_engine, event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

STATUSES = ("new", "triaged", "escalated", "dismissed")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Report(Base):
    """A reported page: one row per URL and snapshot content; repeats add to ``count``."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("url", "snapshot_sha256", name="uq_reports_url_snapshot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    host: Mapped[str] = mapped_column(String(255), index=True)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed sanitised HTML
    count: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    score: Mapped[float] = mapped_column(Float, index=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    grade: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Base):
    """Each time someone reported the page, with their note and contact if they gave them."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact: Mapped[str | None] = mapped_column(String(320), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """An assessment of a report's snapshot; re-scoring adds one, the earlier ones stay."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
    model_version: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(Text)  # the assessment's JSON


class AuditEntry(Base):
    """A status change: who, when, from, to and why. Rows are only ever added."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Token(Base):
    """A regulator's access token, stored only as its SHA-256."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


def default_data_dir() -> Path:
    """The user's data directory for stemclaim (XDG_DATA_HOME, else ~/.local/share)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "stemclaim"


def database_url(explicit: str | None, data_dir: Path | None) -> str:
    """The configured URL, or a SQLite file in the data directory (created if missing)."""
    if explicit:
        return explicit
    directory = Path(data_dir or default_data_dir())
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'stemclaim.db'}"


SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


class StoreURLError(ValueError):
    """A report-store URL stemclaim cannot use (malformed, or a database it does not support)."""


def make_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL; :class:`StoreURLError` for anything else, by name."""
    try:
        scheme = make_url(url).drivername
    except ArgumentError:
        raise StoreURLError("the report-store URL is not a database URL (expected sqlite:///PATH or "
                            "postgresql+psycopg://USER@HOST/DB)") from None
    if scheme not in SCHEMES:
        raise StoreURLError(f"the report store can be SQLite or PostgreSQL, not {scheme.split('+')[0]}")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=10,
                               max_overflow=20)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrations() -> Config:
    """The Alembic configuration of the report store's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations to ``engine``'s database."""
    config = migrations()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def sessions(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
