"""Loading the bulk rows: one `executemany` transaction on SQLite, COPY in text format on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tradecover.models import metadata


def _iso_sqlite_dt(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


class Writer:
    """Bulk rows into one database: `put` converts Python values, `put_raw` takes them ready."""

    def __init__(self, engine: Engine) -> None:
        self.backend = engine.dialect.name
        url = make_url(engine.url)
        if self.backend == "sqlite":
            self.sqlite = sqlite3.connect(url.database or "", isolation_level=None)
            for pragma in (
                "foreign_keys = OFF",
                "synchronous = OFF",
                "cache_size = -1500000",
                "temp_store = MEMORY",
            ):
                self.sqlite.execute(f"PRAGMA {pragma}")
            self.sqlite.execute("BEGIN")
        else:
            dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.pg = psycopg.connect(dsn)
            self.pg.execute("SET session_replication_role = replica")  # no FK triggers during the load
            self.pg.execute("SET maintenance_work_mem = '512MB'")
        self.dropped: list[tuple[str, str]] = []
        self.counts: dict[str, int] = defaultdict(int)

    # -- values -------------------------------------------------------------------------------------------
    def value(self, value: Any) -> Any:
        """A Python value as the database stores it (SQLite) or as COPY text (PostgreSQL)."""
        if value is None or type(value) in (int, str):
            return value
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, bool):
            return (1 if value else 0) if self.backend == "sqlite" else ("t" if value else "f")
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, dt.datetime):
            return _iso_sqlite_dt(value) if self.backend == "sqlite" else value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, dict | list):
            return json.dumps(value)
        return value

    def put(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        """Rows as dicts of Python values; missing columns take their scalar default or NULL."""
        columns = list(metadata.tables[table].columns)
        names = [c.name for c in columns]
        defaults = []
        for column in columns:
            default = column.default
            scalar = getattr(default, "arg", None) if default is not None and default.is_scalar else None
            defaults.append(scalar)
        convert_value = self.value
        checks = [(c.name, not c.nullable, d) for c, d in zip(columns, defaults, strict=True)]

        def converted() -> Iterator[tuple[Any, ...]]:
            for row in rows:
                values = []
                for name, required, default in checks:
                    value = row.get(name, default)
                    if value is None and required:
                        raise ValueError(f"{table}.{name} is NOT NULL but the book has no value for it")
                    values.append(convert_value(value))
                yield tuple(values)

        self.put_raw(table, names, converted())

    def put_lines(self, table: str, names: Sequence[str], lines: list[str]) -> None:
        """PostgreSQL: rows already written as COPY text lines."""
        with self.pg.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for start in range(0, len(lines), 20_000):
                copy.write("\n".join(lines[start : start + 20_000]) + "\n")
        self.counts[table] += len(lines)

    def put_raw(self, table: str, names: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows of ready values (ints, strings, None) in the order of `names`."""
        if self.backend == "sqlite":
            marks = ", ".join("?" * len(names))
            statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608 - our table names
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 50_000:
                    self.sqlite.executemany(statement, batch)
                    self.counts[table] += len(batch)
                    batch = []
            if batch:
                self.sqlite.executemany(statement, batch)
                self.counts[table] += len(batch)
            return
        with self.pg.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            lines: list[str] = []
            for row in rows:
                lines.append("\t".join(_copy_text(v) for v in row))
                if len(lines) >= 20_000:
                    copy.write("\n".join(lines) + "\n")
                    self.counts[table] += len(lines)
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
                self.counts[table] += len(lines)

    # -- indexes ------------------------------------------------------------------------------------------
    def drop_indexes(self, tables: Sequence[str]) -> None:
        """Drop the plain secondary indexes of the tables (kept: keys and unique constraints)."""
        for table in tables:
            if self.backend == "sqlite":
                found = self.sqlite.execute(
                    "SELECT name, sql FROM sqlite_master"
                    " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                    (table,),
                ).fetchall()
                for name, sql in found:
                    if sql.upper().startswith("CREATE UNIQUE"):
                        continue
                    self.sqlite.execute(f'DROP INDEX "{name}"')
                    self.dropped.append((name, sql))
            else:
                found = self.pg.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
                    "AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'",
                    (table,),
                ).fetchall()
                for name, sql in found:
                    self.pg.execute(f'DROP INDEX "{name}"')
                    self.dropped.append((name, sql))

    def finish(self) -> None:
        """Build the dropped indexes again, commit, and gather the planner's statistics."""
        if self.backend == "sqlite":
            for _, sql in self.dropped:
                self.sqlite.execute(sql)
            self.sqlite.execute("COMMIT")
            self.sqlite.execute("ANALYZE")
            self.sqlite.close()
            return
        for _, sql in self.dropped:
            self.pg.execute(sql)
        self.pg.commit()
        self.pg.autocommit = True
        for table in self.counts:
            if "id" not in metadata.tables[table].c:
                continue
            sequence = self.pg.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
            if sequence and sequence[0]:
                self.pg.execute(
                    f"SELECT setval('{sequence[0]}', (SELECT coalesce(max(id), 1) FROM {table}))"  # noqa: S608
                )
        self.pg.execute("VACUUM ANALYZE")
        self.pg.close()


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
