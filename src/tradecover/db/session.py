"""Sessions and the unit of work: the entry point owns the transaction, services never commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.tenancy import Tenant, set_tenant


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to the engine; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], tenant: Tenant) -> Iterator[Session]:
    """One request, command or job: commit when the block ends normally, roll back on any error."""
    session = factory()
    set_tenant(session, tenant)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
