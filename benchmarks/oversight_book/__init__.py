"""A large synthetic book for the oversight benchmark, loaded straight into a migrated database.

Two calendar years (2024–2025) of a market: a few insurers and a coinsurance pool (from 12 June 2025),
policyholders in several regions (SMEs and large firms), export policies in CNY, USD and EUR per year,
domestic pool policies, buyers in many countries, credit limits with their events, millions of
declared shipments (insured by limit, DCL or not at all, paid or overdue), monthly premium invoices with
their ledger entries (a few credited), two subsidy programmes with budgets, enrolments, commitments and
payments, claims with members' shares and recoveries, a bank facility with drawings, and a market risk
run with every shipped scenario.

The few organisations, products, the pool, the programmes and the users are made through the services;
the bulk rows are written directly (SQLite: one `executemany` transaction with foreign keys off and
large caches; PostgreSQL: COPY in text format with foreign-key triggers off for the session), with the
secondary indexes of the big tables dropped during the load and built again afterwards. Every row is
built to satisfy the models' CHECK, unique and foreign-key constraints; `check_book` verifies the
foreign keys of the shipments afterwards. Not part of the tests.

Modules: `market` (constants), `institutions` (made through the services), `writer` (the load),
`state` and the steps `parties`, `limits`, `declarations`, `premiums`, `claims`, `financing`;
`build` runs them in order, `checks` finds a book and counts dangling foreign keys.
"""
