"""The bank's facilities with their drawings and repayments, and the ledger rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from oversight_book.market import STAMP
from oversight_book.state import GeneratorState
from tradecover.ledger.chart import Chart


class FinancingStep(GeneratorState):
    """Facilities, their movements, and the ledger gathered on the way."""

    def facilities(self) -> None:
        """A facility of the bank for each financed holder, drawn monthly and partly repaid."""
        p, bank = self.p, self.setup.bank_id
        facilities, movements = [], []
        for holder, facility_id in self.facility_ids.items():
            index = self.policy_of[(holder, 2025)]
            currency = p.currency[index]
            limit = (70_000_000 if currency == "CNY" else 10_000_000) * 100
            facilities.append(
                {
                    "bank_id": bank,
                    "policyholder_id": self.h_ids[holder],
                    "policy_id": p.ids[index],
                    "insurer_id": p.insurer[index],
                    "currency": currency,
                    "limit_minor": limit,
                    "advance_rate": Decimal("0.80"),
                    "starts_on": dt.date(2025, 2, 1),
                    "matures_on": dt.date(2026, 1, 31),
                    "status": "active",
                    "assigned_on": dt.date(2025, 2, 1),
                    "id": facility_id,
                    "created_at": STAMP,
                }
            )
            for month in range(2, 12):
                on = dt.date(2025, month, 10)
                kind, amount = ("drawing", limit // 20) if month % 3 else ("repayment", limit // 40)
                sign = 1 if kind == "drawing" else -1
                entry = self.entry(
                    on,
                    f"loan_{kind}",
                    ("facility", facility_id),
                    [
                        (self.account(bank, Chart.LOANS_RECEIVABLE, currency), sign * amount, currency),
                        (self.account(bank, Chart.BANK, currency), -sign * amount, currency),
                    ],
                )
                movements.append(
                    {
                        "facility_id": facility_id,
                        "kind": kind,
                        "currency": currency,
                        "amount_minor": amount,
                        "value_date": on,
                        "entry_id": entry,
                        "id": self.ids.uuid(),
                        "created_at": STAMP,
                    }
                )
        self.w.put("facilities", facilities)
        self.w.put("facility_movements", movements)

    def ledger(self) -> None:
        """The accounts, entries and postings gathered on the way."""
        self.w.put("accounts", self.account_rows)
        self.w.put("journal_entries", self.entries)
        self.w.put("postings", self.postings)
