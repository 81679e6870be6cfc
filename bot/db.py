"""The database engine and session factory; migrations run through Alembic."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.models import Base

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

SessionFactory = async_sessionmaker


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        # SQLite has one writer: one connection per process serialises transactions here
        # instead of failing with "database is locked" when a read turns into a write.
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=120
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # No pre-ping: it would cost a round trip per transaction. A connection found dead fails
    # its one request with 503 (the web chat retries with the same client_id, Telegram
    # redelivers), and SQLAlchemy then replaces every connection of the pool.
    return create_async_engine(url, pool_size=5, max_overflow=10)


def session_factory(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)


def lookup_factory(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    """Sessions for one read that needs no transaction: in autocommit, the read is the only
    round trip (no BEGIN before it, no ROLLBACK after)."""
    return async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration (synchronous; run before the server starts)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def upgrade_apart(url: str) -> None:
    """`upgrade` in a short-lived child process: the long-running server then never loads
    Alembic and the migration scripts (about 8 MB of its memory for good)."""
    # Forked before the server starts any thread; spawn would re-run the caller's script.
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=fork) as child:
        child.submit(upgrade, url).result()


__all__ = [
    "Base",
    "Engine",
    "create_engine",
    "lookup_factory",
    "session_factory",
    "upgrade",
    "upgrade_apart",
]
