"""The generator's shared state: random ids, the policies as arrays, rates, ledger accounts and entries."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from oversight_book.institutions import Setup
from oversight_book.market import POOL_SHARES, STAMP
from oversight_book.writer import Writer
from tradecover.ledger.chart import Chart
from tradecover.money import Money
from tradecover.reference.fx import convert


class Ids:
    """Random ids for the bulk rows (the same 32-digit hex form on both databases)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def uuid(self) -> uuid.UUID:
        """A random UUID (version 4 bits set)."""
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    def hex(self) -> str:
        """A random id already in its stored form."""
        return f"{self.random.getrandbits(128):032x}"


@dataclass
class Policies:
    """The policies as arrays indexed by policy number."""

    ids: list[uuid.UUID] = field(default_factory=list)
    holder: list[int] = field(default_factory=list)
    insurer: list[uuid.UUID] = field(default_factory=list)
    currency: list[str] = field(default_factory=list)
    start: list[dt.date] = field(default_factory=list)
    pool: list[bool] = field(default_factory=list)
    loss_payee: list[bool] = field(default_factory=list)


class GeneratorState:
    """The generator's random sources, ids, rates and ledger, shared by the steps that build the book."""

    # Set by the steps in order (parties, policies, limits, shipments) and read by the later ones.
    h_region: npt.NDArray[Any]
    h_sme: npt.NDArray[Any]
    h_size: npt.NDArray[Any]
    h_insurer: npt.NDArray[Any]
    h_currency: npt.NDArray[Any]
    h_ids: list[uuid.UUID]
    b_country: list[str]
    b_grade: npt.NDArray[Any]
    b_sector: npt.NDArray[Any]
    b_ids: list[uuid.UUID]
    b_hex: list[str]
    h_buyers: npt.NDArray[Any]
    h_domestic: npt.NDArray[Any]
    pool_holders: set[int]
    yiwu: list[int]
    shenzhen: list[int]
    financed: list[int]
    facility_ids: dict[int, uuid.UUID]
    policy_of: dict[tuple[int, int], int]  # (holder, year or 0 for the pool policy) → policy
    p: Policies
    limit: npt.NDArray[np.int64]
    premium: npt.NDArray[np.int64]
    claimed: list[tuple[Any, ...]]
    member_row: int

    def __init__(
        self, writer: Writer, setup: Setup, *, shipments: int, buyers: int, holders: int, seed: int
    ) -> None:
        self.w, self.setup = writer, setup
        self.n_shipments, self.n_buyers, self.n_holders = shipments, buyers, holders
        self.rng = np.random.default_rng(seed)
        self.py = random.Random(seed)
        self.ids = Ids(seed)
        self.fx: dict[tuple[str, str, dt.date], Decimal] = {}
        self.entry_id = 0
        self.posting_id = 0
        self.accounts: dict[tuple[uuid.UUID, Chart, str], uuid.UUID] = {}
        self.account_rows: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.postings: list[dict[str, Any]] = []

    # -- helpers ----------------------------------------------------------------------------------------
    def rate(self, source: str, target: str, on: dt.date) -> Decimal:
        """Target units per source unit on the month's first day (reference rates)."""
        key = (source, target, on.replace(day=1))
        if key not in self.fx:
            self.fx[key] = (
                convert(Money.of(1, source), target, key[2]).amount if source != target else Decimal(1)
            )
            if source != target:
                # Full precision: convert() rounds to the target's minor unit, so take it from a large amount.
                self.fx[key] = convert(Money.of(10**8, source), target, key[2]).amount / Decimal(10**8)
        return self.fx[key]

    def account(self, organisation_id: uuid.UUID, chart: Chart, currency: str) -> uuid.UUID:
        """The ledger account of an organisation (made on first use)."""
        key = (organisation_id, chart, currency)
        if key not in self.accounts:
            code, name, kind = chart.value
            self.accounts[key] = self.ids.uuid()
            self.account_rows.append(
                {
                    "organisation_id": organisation_id,
                    "code": code,
                    "name": name,
                    "type": kind,
                    "currency": currency,
                    "id": self.accounts[key],
                    "created_at": STAMP,
                }
            )
        return self.accounts[key]

    def entry(
        self, on: dt.date, kind: str, document: tuple[str, uuid.UUID], lines: list[tuple[uuid.UUID, int, str]]
    ) -> int:
        """A balanced journal entry of two or more postings; its id."""
        assert sum(amount for _, amount, _ in lines) == 0
        self.entry_id += 1
        self.entries.append(
            {
                "id": self.entry_id,
                "booked_at": dt.datetime.combine(on, dt.time(18), tzinfo=dt.UTC),
                "effective_date": on,
                "kind": kind,
                "description": f"{kind} (benchmark book)",
                "document_type": document[0],
                "document_id": str(document[1]),
            }
        )
        for account_id, amount, currency in lines:
            self.posting_id += 1
            self.postings.append(
                {
                    "id": self.posting_id,
                    "entry_id": self.entry_id,
                    "account_id": account_id,
                    "amount_minor": amount,
                    "currency": currency,
                }
            )
        return self.entry_id

    def _split(self, amount: int) -> list[tuple[uuid.UUID, Decimal, int]]:
        """Largest remainder over the pool's shares, the leader first on ties."""
        raw = [amount * share for share in POOL_SHARES]
        parts = [int(r) for r in raw]
        order = sorted(range(len(raw)), key=lambda n: (-(raw[n] - parts[n]), n))
        for n in order[: amount - sum(parts)]:
            parts[n] += 1
        return [(self.setup.insurer_ids[n], POOL_SHARES[n], parts[n]) for n in range(len(parts))]
