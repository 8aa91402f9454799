"""Claim payments and recoveries in parallel: a part is paid once, the claim ends paid, and recoveries
never give the insurers more than the indemnity.

Each call runs in its own thread, session and committed transaction against a database made for the
test, so only the locks keep them apart.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY, open_claims_world, usd
from tests.claims.test_recoveries import paid_claim
from tests.claims.test_settlement import approved, payer
from tests.premiums.test_invoicing_races import committed_engine  # noqa: F401

from tradecover.claims.model import Claim, ClaimStatus, Recovery
from tradecover.claims.recoveries import record_recovery
from tradecover.claims.settlement import pay_member_share
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.errors import Conflict
from tradecover.ledger.model import JournalEntry
from tradecover.ledger.reconcile import find_violations

CALLERS = 4


def _race(engine: Engine, calls: list[Callable[[Session], object]]) -> list[BaseException]:
    """Run the calls at once, each in its own committed unit of work; the errors they raised."""
    sessions = session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(len(calls))

    def run(call: Callable[[Session], object]) -> None:
        try:
            start.wait()
            with unit_of_work(sessions, Tenant.unrestricted()) as session:
                call(session)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_a_part_is_paid_once_and_the_claim_ends_paid(committed_engine: Engine) -> None:  # noqa: F811
    sessions = session_factory(committed_engine)
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        world = open_claims_world(session, pool=True)
        claim_id = approved(world).id
        leader, second, third = world.members
        actors = {m: payer(world, m) for m in world.members}

    def pay(member_id: uuid.UUID, key: str) -> Callable[[Session], object]:
        return lambda s: pay_member_share(
            s, actors[member_id], claim_id, member_id, paid_on=TODAY, idempotency_key=key
        )

    errors = _race(committed_engine, [pay(leader, f"leader-{n}") for n in range(CALLERS)])
    assert len(errors) == CALLERS - 1
    assert all(isinstance(e, Conflict) for e in errors), errors
    assert _race(committed_engine, [pay(second, "second"), pay(third, "third")]) == []
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        paid = select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "claim.paid")
        assert session.scalar(paid) == 3
        assert session.get_one(Claim, claim_id).status is ClaimStatus.PAID
        assert find_violations(session) == []


def test_parallel_recoveries_stay_within_the_indemnity(committed_engine: Engine) -> None:  # noqa: F811
    sessions = session_factory(committed_engine)
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        world = open_claims_world(session)
        claim_id = paid_claim(world).id  # indemnity USD 90,000 on a loss of 100,000
        handler = world.handler

    def recover(n: int) -> Callable[[Session], object]:
        return lambda s: record_recovery(
            s, handler, claim_id, amount=usd(40_000), received_on=TODAY, idempotency_key=f"r{n}"
        )

    assert _race(committed_engine, [recover(n) for n in range(CALLERS)]) == []
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        total = session.scalar(select(func.sum(Recovery.insurers_minor)).where(Recovery.claim_id == claim_id))
        # 36,000 + 36,000 + 18,000 (the rest of the indemnity) + 0
        assert total == 9_000_000
        assert find_violations(session) == []
