"""Benchmark: one audience's oversight view on a kept book, with its slowest SQL statements.

Run: ``.venv/bin/python benchmarks/oversight_statements.py DATABASE_URL AUDIENCE [--to 2025-12-15]
[--repeats 5] [--top 8]``, where DATABASE_URL names a book kept by ``benchmarks/oversight.py --keep``
(``sqlite:////tmp/obench/book5m.db`` or ``postgresql+psycopg://…/oversight_book_5m``) and AUDIENCE is
regulator, insurer, programme or bank. Not part of the tests.

It neither migrates nor generates anything, so an older checkout can time the same book: with
``git worktree add /tmp/old REV``, ``PYTHONPATH=/tmp/old/src .venv/bin/python
benchmarks/oversight_statements.py …`` times that revision's code (its totals must be the ones the book
holds). Each run builds the view for 1 January 2025 to ``--to`` in CNY in its own session after two
warm-ups, with the objects loaded so far frozen out of the garbage collector as the server does; it
prints the median and the best of ``--repeats`` runs (the best is the steadier figure on a shared
machine), the part of each spent waiting for SQL, and the slowest statements of the last run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oversight_book.checks import find_book

from tradecover.db.engine import make_engine
from tradecover.db.session import session_factory, unit_of_work
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.views import build_view
from tradecover.server import freeze_startup_objects


def main() -> None:
    """Time the view and print its slowest statements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("audience", choices=[a.value for a in Audience])
    parser.add_argument("--to", type=dt.date.fromisoformat, default=dt.date(2025, 12, 15))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    engine = make_engine(args.url)
    book = find_book(engine)
    if book is None:
        raise SystemExit(f"no oversight book in {args.url}: keep one with benchmarks/oversight.py --keep")
    audience = Audience(args.audience)
    actor = book.actors[args.audience]
    sessions = session_factory(engine)
    period = Period(dt.date(2025, 1, 1), args.to)
    waits: dict[str, list[float]] = defaultdict(list)

    @event.listens_for(engine, "before_cursor_execute")
    def started(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def finished(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        waits[statement].append(time.perf_counter() - conn.info["started"])

    def view() -> tuple[float, float]:
        waits.clear()
        start = time.perf_counter()
        with unit_of_work(sessions, actor.tenant) as session:
            build_view(session, actor, audience, period, "CNY", today=dt.date(2025, 12, 31))
        return time.perf_counter() - start, sum(sum(times) for times in waits.values())

    view()
    view()
    freeze_startup_objects()
    runs = [view() for _ in range(args.repeats)]
    total = statistics.median(run[0] for run in runs) * 1000
    sql = statistics.median(run[1] for run in runs) * 1000
    best = min(runs)
    print(
        f"{args.audience} {period.start} – {period.end}: median {total:,.0f} ms, of it SQL {sql:,.0f} ms; "
        f"best {best[0] * 1000:,.0f} ms, of it SQL {best[1] * 1000:,.0f} ms"
    )
    for statement, times in sorted(waits.items(), key=lambda item: -sum(item[1]))[: args.top]:
        print(f"{sum(times) * 1000:7,.0f} ms ×{len(times)}  {' '.join(statement.split())[:160]}")


if __name__ == "__main__":
    main()
