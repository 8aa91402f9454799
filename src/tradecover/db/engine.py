"""Engines for SQLite (WAL, foreign keys, BEGIN IMMEDIATE) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool, QueuePool

# How long a thread waits for its turn to write to an SQLite database (as SQLite's busy timeout).
WRITER_WAIT_S = 30
# Idle connections an SQLite file engine keeps for the next unit of work.
SQLITE_IDLE_CONNECTIONS = 8
_HOLDS_WRITER = "tradecover.holds_writer_turn"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for the URL, with SQLite set up as DESIGN §3 says."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if "poolclass" not in kwargs and parsed.database not in (None, "", ":memory:"):
            # Opening a connection (with its pragmas) and closing it (a WAL checkpoint) cost more than a
            # limit decision's queries. Keep a few for reuse; past those, more are opened and closed as
            # needed (no limit, so no unit of work ever waits for a connection).
            kwargs.update(poolclass=QueuePool, pool_size=SQLITE_IDLE_CONNECTIONS, max_overflow=-1)
        kwargs.setdefault("poolclass", NullPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so that BEGIN IMMEDIATE and SAVEPOINT work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    # SQLite lets one writer in at a time and makes the others poll with growing sleeps (up to 100 ms),
    # so under many threads the lock sits idle between holders and waits grow long and unfair. Threads
    # of this engine queue on a lock of their own first and take SQLite's lock as soon as it is free;
    # other processes still meet the busy timeout.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers queue at BEGIN instead of failing at their first write with "database is locked".
        if not writer.acquire(timeout=WRITER_WAIT_S):
            raise TimeoutError(f"no turn to write to the database within {WRITER_WAIT_S} s")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.release()
            raise
        connection.info[_HOLDS_WRITER] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        # Only the connection that took the turn gives it back (a stray rollback must not free another's).
        if connection.info.pop(_HOLDS_WRITER, False):
            writer.release()
