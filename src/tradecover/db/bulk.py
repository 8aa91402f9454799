"""Inserting many complete rows at once, the fastest way each database offers, in the session's transaction.

PostgreSQL gets `COPY … FROM STDIN` (psycopg writes each row in C); SQLite gets one prepared INSERT run
by the driver's `executemany` in chunks. Rows can be streamed (`RowStream`) while the caller
prepares the next ones. Either way SQLAlchemy's per-value parameter processing is skipped, so the
per-row values must already be in the form both databases store and parse alike: ids as 32-digit hex
strings, dates as ISO text, enums as their values, integers, strings and None. Values common to every
row (`constants`) may be any Python value of the column's type: they go through the column type's own
bind processing once, so they are stored exactly as the ORM would store them.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from itertools import accumulate
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

# Rows handed to SQLite's executemany at a time.
CHUNK = 20_000
# SQLite's page cache while it fills a table's indexes (KiB): the indexes of a million shipments. Pages
# are taken only as needed, and putting the old size back afterwards frees them.
SQLITE_CACHE_KIB = 1024 * 1024

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
    """Rows handed over one by one and written as they come, in the transaction of the session.

    PostgreSQL: the COPY is open from the start, so the server inserts (and checks the foreign keys of)
    the rows already sent while the caller prepares more. SQLite: each full chunk goes to `executemany`
    (a writer thread gained nothing: binding each row needs the GIL back). The caller must not use the
    session while the stream is open.
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
        self._exits = ExitStack()
        try:
            self._open(dialect.name, driver, target, len(names))
        except BaseException:
            self._exits.close()  # the cursor opened before the failure
            raise

    def _open(self, dialect: str, driver: Any, target: str, width: int) -> None:
        if dialect == "postgresql":
            cursor = self._exits.enter_context(driver.cursor())
            self._copy = self._exits.enter_context(cursor.copy(f"COPY {target} FROM STDIN"))
            return
        self._copy = None
        # Table and column names come from the metadata (checked in __init__); the values are bound.
        self._statement = f"INSERT INTO {target} VALUES ({', '.join('?' * width)})"  # noqa: S608
        self._cursor = driver.cursor()
        self._exits.callback(self._cursor.close)
        # A page cache large enough for the indexes being filled (SQLite's default is 2 MB); put back after.
        self._cache_pages = int(self._cursor.execute("PRAGMA cache_size").fetchone()[0])
        self._cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        self._exits.callback(self._cursor.execute, f"PRAGMA cache_size = {self._cache_pages}")

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
        self._cursor.executemany(self._statement, self._chunk)
        self._chunk = []

    def close(self, error: BaseException | None = None) -> None:
        """Write what is left and finish; after the caller's error, write nothing more."""
        if error is None:
            if self._chunk:
                self._hand_over()
            self._exits.close()
        else:
            self._chunk = []
            self._exits.__exit__(type(error), error, error.__traceback__)

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
