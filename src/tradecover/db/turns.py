"""Requests take turns at the database on the event loop, never in a worker thread.

A request's unit of work spans several worker-thread calls (its dependencies, the handler, the
commit), each needing a free thread of the server's pool, and it holds a database connection (on
SQLite also the one writer's lock, `db/engine.py`) from its first query to its commit. Were requests to
wait for a connection or for SQLite's lock inside those threads, enough of them would hold every thread
while the requests holding the connections waited for a thread to run their handlers: nothing would
finish until the waits timed out (seen with 64 concurrent clients on both databases).
So a request first waits here, on the event loop, until a connection is sure to be free for it: one
request at a time on SQLite, as many as the connection pool holds elsewhere.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

_TURNS: weakref.WeakKeyDictionary[Engine, anyio.Semaphore | None] = weakref.WeakKeyDictionary()
_MAKING = threading.Lock()  # guards _TURNS, which every thread of the process shares


def connections_for_requests(engine: Engine) -> int | None:
    """How many requests may work in the database at once; None when no pool limit makes them wait."""
    if engine.dialect.name == "sqlite":
        return 1  # one writer at a time, and every unit of work begins as a writer
    pool = engine.pool
    if isinstance(pool, QueuePool):
        overflow: int = getattr(pool, "_max_overflow", 0)  # not public; -1 means no limit
        return None if overflow < 0 else pool.size() + overflow
    return None


def _turns_of(sessions: sessionmaker[Session]) -> anyio.Semaphore | None:
    engine = sessions.kw.get("bind")
    if not isinstance(engine, Engine):
        return None
    with _MAKING:
        if engine not in _TURNS:
            capacity = connections_for_requests(engine)
            _TURNS[engine] = None if capacity is None else anyio.Semaphore(capacity)
        return _TURNS[engine]


@asynccontextmanager
async def request_turn(sessions: sessionmaker[Session]) -> AsyncIterator[None]:
    """Hold one of the database's turns for requests for the block (none to wait for when unlimited)."""
    turns = _turns_of(sessions)
    if turns is None:
        yield
        return
    async with turns:
        yield
