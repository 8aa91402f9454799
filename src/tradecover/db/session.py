"""Sessions and the unit of work: the entry point owns the transaction, services never commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import Conflict


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to the engine; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def commit(session: Session) -> None:
    """Commit; a uniqueness or reference clash found only now (a concurrent change) becomes a Conflict."""
    try:
        session.commit()
    except IntegrityError as clash:
        session.rollback()
        raise Conflict(
            "this change clashed with another one made at the same time; reload and try again"
        ) from clash


@contextmanager
def unit_of_work(factory: sessionmaker[Session], tenant: Tenant) -> Iterator[Session]:
    """One request, command or job: commit when the block ends normally, roll back on any error."""
    session = factory()
    set_tenant(session, tenant)
    try:
        yield session
        commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
