"""SQL pieces the oversight metrics share: date ranges, and date functions written per backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Date, Executable, literal, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

Ranges = tuple[tuple[dt.date, dt.date], ...]


def read_rows(session: Session, query: Executable) -> Iterable[Any]:
    """The rows of a query the oversight scoped itself (marked EXEMPT), read through Core.

    The ORM's row processing would cost a view tens of milliseconds over its 10⁴ summed rows; the
    tenant criteria it applies are what EXEMPT queries have no use for.
    """
    return session.connection().execute(query)


def per_range(ranges: Ranges, build: Callable[[dt.date, dt.date], Any]) -> Any:
    """One SELECT per range, as one UNION ALL (the ranges must not overlap).

    A single range per part is what lets each planner scan a date index: an OR of ranges sent
    PostgreSQL through every row of each policy in scope, and SQLite through a de-duplicating
    multi-index OR.
    """
    parts = [build(first, last) for first, last in ranges]
    return parts[0] if len(parts) == 1 else union_all(*parts)


class _DateSQL(FunctionElement[dt.date]):
    """A date expression written once for PostgreSQL (`sql`) and once for SQLite (`sqlite`); `{}` holds
    the arguments."""

    type = Date()
    inherit_cache = True
    sql: ClassVar[str]
    sqlite: ClassVar[str]


class MonthStart(_DateSQL):
    """The first day of a date column's month."""

    inherit_cache = True
    name = "month_start"
    sql = "CAST(date_trunc('month', {}) AS DATE)"
    sqlite = "date({}, 'start of month')"


class NextDay(_DateSQL):
    """The day after a date column."""

    inherit_cache = True
    name = "next_day"
    sql = "({} + 1)"
    sqlite = "date({}, '+1 day')"


class Least(_DateSQL):
    """The earliest of several non-null dates."""

    inherit_cache = True
    name = "least"
    sql = "least({})"
    sqlite = "min({})"


class Greatest(_DateSQL):
    """The latest of several non-null dates."""

    inherit_cache = True
    name = "greatest"
    sql = "greatest({})"
    sqlite = "max({})"


def _render(element: _DateSQL, compiler: SQLCompiler, **kw: Any) -> str:
    return element.sql.format(compiler.process(element.clauses, **kw))


def _render_sqlite(element: _DateSQL, compiler: SQLCompiler, **kw: Any) -> str:
    return element.sqlite.format(compiler.process(element.clauses, **kw))


for _function in (MonthStart, NextDay, Least, Greatest):
    compiles(_function)(_render)
    compiles(_function, "sqlite")(_render_sqlite)


class Unindexed(FunctionElement[Any]):
    """A column as it is, which SQLite's planner will not look up through an index (a unary +)."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(Unindexed)
def _render_unindexed(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(Unindexed, "sqlite")
def _render_unindexed_sqlite(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def month_key(day: Any) -> ColumnElement[dt.date]:
    """A date column's calendar month as its first day: the bucket both backends group by."""
    return MonthStart(day)


def month_of_range(day: Any, first: dt.date, last: dt.date) -> tuple[ColumnElement[dt.date], bool]:
    """`month_key(day)` for rows dated from `first` to `last`, and whether it is a constant.

    It is one when both days lie in one month: a part month's rows then need no date function each
    (PostgreSQL's `date_trunc` costs about as much as the sum over a month's tens of thousands of daily
    rows), and the caller leaves it out of its GROUP BY.
    """
    if (first.year, first.month) == (last.year, last.month):
        return literal(first.replace(day=1), Date), True
    return month_key(day), False
