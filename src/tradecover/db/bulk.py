"""Inserting many complete rows at once, the fastest way each database offers, in the session's transaction.

PostgreSQL gets `COPY … FROM STDIN` (psycopg writes each row in C); SQLite gets one prepared INSERT run
by the driver's `executemany` in a writer thread. Rows can be streamed (`RowStream`) while the caller
prepares the next ones. Either way SQLAlchemy's per-value parameter processing is skipped, so the
per-row values must already be in the form both databases store and parse alike: ids as 32-digit hex
strings, dates as ISO text, enums as their values, integers, strings and None. Values common to every
row (`constants`) may be any Python value of the column's type: they go through the column type's own
bind processing once, so they are stored exactly as the ORM would store them.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from itertools import accumulate
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

# Rows handed to SQLite's executemany at a time.
CHUNK = 20_000
# SQLite's page cache while it fills a table's indexes (KiB).
SQLITE_CACHE_KIB = 256 * 1024

_RANDOM_BITS = 74
_LOW_BITS = 62


def ordered_ids(count: int, now: dt.datetime | None = None) -> list[str]:
    """`count` fresh UUIDv7 ids (RFC 9562) as 32-digit hex, ascending, for rows inserted in that order.

    Ascending ids append to the primary-key index instead of landing all over it. They stay unguessable:
    the 74 random bits start at a random value and grow by a random step (1 to 2³²) from one id to the
    next (the RFC's "monotonic random" method), so one id does not tell the next. Like every UUIDv7 they
    carry their creation time to the millisecond.
    """
    if count <= 0:
        return []
    millis = int((now.timestamp() if now is not None else time.time()) * 1000)
    steps = memoryview(os.urandom(4 * count)).cast("I")
    start = int.from_bytes(os.urandom(10)) >> (80 - _RANDOM_BITS + 1)  # 73 bits: room for the steps
    high = (millis << 80) | (7 << 76)
    low_mask = (1 << _LOW_BITS) - 1
    variant = 2 << _LOW_BITS
    return [
        f"{high | ((value >> _LOW_BITS) << 64) | variant | (value & low_mask):032x}"
        for value in accumulate((step + 1 for step in steps), initial=start)
    ][1:]


class RowStream:
    """Rows handed over one by one, written while the caller works on the next ones.

    PostgreSQL: the COPY is open from the start, so the server inserts (and checks the foreign keys of)
    the rows already sent while the caller prepares more. SQLite: full chunks go to a writer thread whose
    `executemany` lets go of the GIL while SQLite steps. The caller must not use the session while the
    stream is open; `close` waits for the last rows and raises what went wrong in the writer.
    """

    def __init__(
        self,
        session: Session,
        table: Table,
        columns: Sequence[str],
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        connection = session.connection()
        dialect = connection.dialect
        fixed = dict(constants or {})
        self._fixed = tuple(_stored(table, name, value, dialect) for name, value in fixed.items())
        names = (*columns, *fixed)
        for name in names:
            if name not in table.c:
                raise KeyError(f"{table.name} has no column {name!r}")
        quote = dialect.identifier_preparer.quote
        target = f"{quote(table.name)} ({', '.join(quote(name) for name in names)})"
        driver = connection.connection.driver_connection
        assert driver is not None
        self.count = 0
        self._chunk: list[tuple[Any, ...]] = []
        self._failed: list[BaseException] = []
        self._exits = ExitStack()
        if dialect.name == "postgresql":
            cursor = self._exits.enter_context(driver.cursor())
            self._copy = self._exits.enter_context(cursor.copy(f"COPY {target} FROM STDIN"))
            self._writer: threading.Thread | None = None
            return
        self._copy = None
        # Table and column names come from the metadata (checked above); the values are bound.
        self._statement = f"INSERT INTO {target} VALUES ({', '.join('?' * len(names))})"  # noqa: S608
        self._cursor = driver.cursor()
        # A page cache large enough for the indexes being filled (SQLite's default is 2 MB); put back after.
        self._cache_pages = int(self._cursor.execute("PRAGMA cache_size").fetchone()[0])
        self._cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        self._chunks: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
        self._writer = threading.Thread(target=self._write_chunks, name="bulk-insert", daemon=True)
        self._writer.start()

    def put(self, row: Sequence[Any]) -> None:
        """Add one row (values in the stream's column order, without the constants)."""
        if self._copy is not None:
            self._copy.write_row((*row, *self._fixed))
        else:
            self._chunk.append((*row, *self._fixed))
            if len(self._chunk) >= CHUNK:
                self._hand_over()
        self.count += 1

    def _hand_over(self) -> None:
        if self._failed:
            raise self._failed[0]
        self._chunks.put(self._chunk)
        self._chunk = []

    def _write_chunks(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._failed:
                continue
            try:
                self._cursor.executemany(self._statement, chunk)
            except BaseException as error:  # handed to the caller's thread by close()
                self._failed.append(error)

    def close(self, error: BaseException | None = None) -> None:
        """Write what is left and finish; on the caller's error, stop the writer and write nothing more."""
        if self._writer is None:
            self._exits.__exit__(
                type(error) if error else None, error, error.__traceback__ if error else None
            )
            return
        if error is None and self._chunk:
            self._chunks.put(self._chunk)
        self._chunk = []
        if error is not None:
            self._failed.append(error)
        self._chunks.put(None)
        self._writer.join()
        try:
            self._cursor.execute(f"PRAGMA cache_size = {self._cache_pages}")
        finally:
            self._cursor.close()
        if error is None and self._failed:
            raise self._failed[0]

    def __enter__(self) -> RowStream:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        self.close(error)


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Insert the rows (values in `columns` order) with `constants` added to each; returns how many."""
    with RowStream(session, table, columns, constants) as stream:
        for row in rows:
            stream.put(row)
    return stream.count


def _stored(table: Table, name: str, value: Any, dialect: Any) -> Any:
    """A constant as the column's type binds it (the ORM's own storage form)."""
    processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    return processor(value) if processor is not None and value is not None else value
