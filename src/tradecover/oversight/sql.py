"""SQL pieces the oversight metrics share: date ranges, the month of a date, the day after a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Date, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

Ranges = tuple[tuple[dt.date, dt.date], ...]


def within(column: Any, ranges: Ranges) -> ColumnElement[bool]:
    """The column falls in one of the ranges (each a BETWEEN, so an index range scan serves it)."""
    return or_(*(column.between(first, last) for first, last in ranges))


class MonthStart(FunctionElement[dt.date]):
    """The first day of a date column's month, in each backend's own date arithmetic."""

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(MonthStart)
def _month_start_default(element: MonthStart, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(MonthStart, "sqlite")
def _month_start_sqlite(element: MonthStart, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def month_key(day: Any) -> ColumnElement[dt.date]:
    """A date column's calendar month as its first day: the bucket both backends group by."""
    return MonthStart(day)


class NextDay(FunctionElement[dt.date]):
    """The day after a date column, in each backend's own date arithmetic."""

    type = Date()
    inherit_cache = True
    name = "next_day"


@compiles(NextDay)
def _next_day_default(element: NextDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} + 1)"


@compiles(NextDay, "sqlite")
def _next_day_sqlite(element: NextDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+1 day')"


class Least(FunctionElement[dt.date]):
    """The earliest of several non-null dates (PostgreSQL's LEAST, SQLite's many-argument min)."""

    type = Date()
    inherit_cache = True
    name = "least"


@compiles(Least)
def _least_default(element: Least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"least({compiler.process(element.clauses, **kw)})"


@compiles(Least, "sqlite")
def _least_sqlite(element: Least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


class Greatest(FunctionElement[dt.date]):
    """The latest of several non-null dates (PostgreSQL's GREATEST, SQLite's many-argument max)."""

    type = Date()
    inherit_cache = True
    name = "greatest"


@compiles(Greatest)
def _greatest_default(element: Greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(Greatest, "sqlite")
def _greatest_sqlite(element: Greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"
