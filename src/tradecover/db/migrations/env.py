"""Alembic environment: runs on a connection handed in by `tradecover.db.migrate`, or on the URL."""

from __future__ import annotations

from alembic import context

from tradecover.db.engine import make_engine

config = context.config
target_metadata = config.attributes.get("target_metadata")


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()
