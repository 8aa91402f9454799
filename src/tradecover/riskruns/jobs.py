"""The background job that measures a queued risk run: an entry point, so it owns its transactions.

A long run must not hold a transaction (on SQLite, the one writer's turn) while the engine works, so the
job takes three kinds of short ones: one to read the book, one per evaluation to record the progress
(base, then each scenario), and one to store the results. A failure is recorded on the run (status
failed, with the reason) in a transaction of its own, and nothing else of the run is kept.
"""

from __future__ import annotations

import logging
import time
import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.errors import DomainError
from tradecover.riskruns.model import RiskRun, RunStatus
from tradecover.riskruns.service import evaluate_run, load_run_book, plan_of, record_results

log = logging.getLogger(__name__)


def _the_run(session: Session, run_id: uuid.UUID) -> RiskRun:
    run = session.get(RiskRun, run_id)
    if run is None:
        raise LookupError(f"no risk run {run_id}")
    return run


def _progress(sessions: sessionmaker[Session], run_id: uuid.UUID, done: int, total: int) -> None:
    # Short of 100 until the results are stored.
    percent = min(99, round(100 * done / total))
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        session.execute(update(RiskRun).where(RiskRun.id == run_id).values(progress=percent))


def record_failure(sessions: sessionmaker[Session], run_id: uuid.UUID, reason: str) -> None:
    """Mark the run failed, with the reason (its own transaction)."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        session.execute(
            update(RiskRun)
            .where(RiskRun.id == run_id)
            .values(status=RunStatus.FAILED, progress=100, error=" ".join(reason.split())[:500])
        )


def measure_queued_run(sessions: sessionmaker[Session], run_id: uuid.UUID) -> None:
    """Measure a run `queue_risk_run` recorded: read the book, run the engine, store the results."""
    started = time.perf_counter()
    try:
        with unit_of_work(sessions, Tenant.unrestricted()) as session:
            run = _the_run(session, run_id)
            plan = plan_of(run)
            book = load_run_book(session, run, plan)
        evaluations = evaluate_run(
            run, book, plan, lambda done, total: _progress(sessions, run_id, done, total)
        )
        with unit_of_work(sessions, Tenant.unrestricted()) as session:
            record_results(
                _the_run(session, run_id), book, evaluations, round((time.perf_counter() - started) * 1000)
            )
    except DomainError as error:
        record_failure(sessions, run_id, error.message)
    except Exception:
        log.exception("risk run %s failed", run_id)
        record_failure(sessions, run_id, "the run failed unexpectedly; the server log has the details")
