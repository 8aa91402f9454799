"""Database: engine, sessions and transactions, column types, tenant scoping, migrations."""
