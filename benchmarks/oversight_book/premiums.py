"""Premium invoices of the book, the pool members' splits, credit notes and the subsidy programmes' rows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import numpy as np

from oversight_book.market import AS_OF, STAMP, _half_up
from oversight_book.state import GeneratorState
from tradecover.ledger.chart import Chart
from tradecover.policies.terms import ProductKind


class PremiumsStep(GeneratorState):
    """Premium invoices, members' splits, credit notes, subsidy commitments, budgets and payments."""

    # -- premium, subsidies ------------------------------------------------------------------------------
    def invoices(self) -> None:
        """Monthly premium invoices (a few credited), pool members' splits, subsidy commitments, payments."""
        p, s, rng = self.p, self.setup, self.py
        months = [dt.date(2024 + m // 12, m % 12 + 1, 1) for m in range(25)]
        yiwu, shenzhen = set(self.yiwu), set(self.shenzhen)
        invoices, members, notes, commitments = [], [], [], []
        taken: dict[tuple[str, int], int] = defaultdict(int)
        paid_budget: dict[tuple[str, int], int] = defaultdict(int)
        payments: dict[tuple[str, uuid.UUID, str, dt.date], list[tuple[uuid.UUID, int]]] = defaultdict(list)
        number = 0
        for index in range(len(p.ids)):
            holder, currency, insurer = p.holder[index], p.currency[index], p.insurer[index]
            for m in np.nonzero(self.premium[index])[0].tolist():
                premium = int(self.premium[index, m])
                start, end = months[m], months[m + 1] - dt.timedelta(days=1)
                issued = months[m + 1] + dt.timedelta(days=4)
                if issued > AS_OF:
                    continue
                number += 1
                invoice_id = self.ids.uuid()
                due = issued + dt.timedelta(days=30)
                credited = rng.random() < 0.005
                programme, rate = None, 0
                if not p.pool[index] and start.year == 2025 and holder in yiwu:
                    programme, rate = "yiwu", 80
                elif not p.pool[index] and start >= dt.date(2025, 5, 1) and holder in shenzhen:
                    programme, rate = "shenzhen", 50
                subsidy = _half_up(premium * rate, 100) if programme else 0
                shares = []
                if programme and subsidy > 0:
                    commitment_id = self.ids.uuid()
                    fx = self.rate(currency, "CNY", issued)
                    in_cny = int((Decimal(subsidy) * fx).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
                    paid_on = months[m + 1] + dt.timedelta(days=44) if not credited else None
                    status = (
                        "released" if credited else ("paid" if paid_on and paid_on <= AS_OF else "committed")
                    )
                    if status != "released":
                        taken[(programme, 2025)] += in_cny
                    if status == "paid":
                        assert paid_on is not None
                        paid_budget[(programme, 2025)] += in_cny
                        payments[(programme, insurer, currency, paid_on)].append((commitment_id, subsidy))
                    commitments.append(
                        {
                            "programme_id": s.programmes[programme],
                            "sponsor_id": s.sponsors[programme],
                            "policyholder_id": self.h_ids[holder],
                            "insurer_id": insurer,
                            "policy_id": p.ids[index],
                            "invoice_id": invoice_id,
                            "product_kind": ProductKind.EXPORT_WHOLE_TURNOVER.value,
                            "year": 2025,
                            "committed_on": issued,
                            "currency": currency,
                            "premium_minor": premium,
                            "rate": Decimal(rate) / 100,
                            "requested_minor": subsidy,
                            "amount_minor": subsidy,
                            "fx_rate": fx,
                            "programme_currency": "CNY",
                            "amount_programme_minor": in_cny,
                            "mode": "direct",
                            "explanation": f"{rate}% of the premium",
                            "status": status,
                            "released_on": issued + dt.timedelta(days=10) if credited else None,
                            "paid_on": paid_on if status == "paid" else None,
                            "id": commitment_id,
                            "created_at": STAMP,
                        }
                    )
                    shares.append(
                        {
                            "commitment_id": str(commitment_id),
                            "programme_id": str(s.programmes[programme]),
                            "name": programme,
                            "mode": "direct",
                            "rate": str(Decimal(rate) / 100),
                            "requested": subsidy,
                            "amount": subsidy,
                            "explanation": f"{rate}% of the premium",
                        }
                    )
                firm = premium - subsidy
                paid = 0 if credited else (firm if due < AS_OF and rng.random() < 0.97 else 0)
                status = "credited" if credited else ("paid" if paid == firm else "issued")
                lines = [
                    (self.account(insurer, Chart.PREMIUM_RECEIVABLE, currency), firm, currency),
                    (self.account(insurer, Chart.PREMIUM_INCOME, currency), -premium, currency),
                ]
                if subsidy:
                    lines.append(
                        (self.account(insurer, Chart.SUBSIDY_RECEIVABLE, currency), subsidy, currency)
                    )
                lines = [line for line in lines if line[1]]
                entry = self.entry(issued, "premium_invoice", ("premium_invoice", invoice_id), lines)
                invoices.append(
                    {
                        "number": f"PI-{number:07d}",
                        "policy_id": p.ids[index],
                        "kind": "monthly",
                        "period_start": start,
                        "period_end": end,
                        "live_period_start": None if credited else start,
                        "issued_on": issued,
                        "due_date": due,
                        "currency": currency,
                        "premium_minor": premium,
                        "subsidy_minor": subsidy,
                        "firm_share_minor": firm,
                        "paid_minor": paid,
                        "status": status,
                        "dunning_level": "none",
                        "subsidies": shares,
                        "entry_id": entry,
                        "policyholder_id": self.h_ids[holder],
                        "insurer_id": insurer,
                        "id": invoice_id,
                        "created_at": dt.datetime.combine(issued, dt.time(8), tzinfo=dt.UTC),
                    }
                )
                if credited:
                    notes.append(
                        {
                            "number": f"CN-{number:07d}",
                            "invoice_id": invoice_id,
                            "policy_id": p.ids[index],
                            "issued_on": issued + dt.timedelta(days=10),
                            "reason": "declarations corrected",
                            "currency": currency,
                            "amount_minor": premium,
                            "to_credit_minor": 0,
                            "policyholder_id": self.h_ids[holder],
                            "insurer_id": insurer,
                            "id": self.ids.uuid(),
                            "created_at": STAMP,
                        }
                    )
                if p.pool[index]:
                    members.extend(self._members(invoice_id, holder, premium, currency, status == "paid"))
        self.w.put("premium_invoices", invoices)
        self.w.put("premium_invoice_members", members)
        self.w.put("premium_credit_notes", notes)
        self.w.put("subsidy_commitments", commitments)
        self._programmes(taken, paid_budget, payments)

    def _members(
        self, invoice_id: uuid.UUID, holder: int, premium: int, currency: str, paid: bool
    ) -> list[dict[str, Any]]:
        parts = self._split(premium)
        leader = self.setup.insurer_ids[0]
        self.member_row = getattr(self, "member_row", 0)
        rows = []
        for position, (member, share, part) in enumerate(parts, start=1):
            self.member_row += 1
            commission = 0 if member == leader else _half_up(part * 5, 100)
            rows.append(
                {
                    "id": self.member_row,
                    "invoice_id": invoice_id,
                    "policyholder_id": self.h_ids[holder],
                    "member_id": member,
                    "leader_id": leader,
                    "position": position,
                    "share": share,
                    "currency": currency,
                    "premium_minor": part,
                    "firm_minor": part,
                    "subsidy_minor": 0,
                    "commission_minor": commission,
                    "paid_minor": part if paid else 0,
                }
            )
        return rows

    def _programmes(
        self,
        taken: dict[tuple[str, int], int],
        paid: dict[tuple[str, int], int],
        payments: dict[tuple[str, uuid.UUID, str, dt.date], list[tuple[uuid.UUID, int]]],
    ) -> None:
        s = self.setup
        budgets = [
            {
                "programme_id": s.programmes[key],
                "sponsor_id": s.sponsors[key],
                "year": year,
                "currency": "CNY",
                "amount_minor": max(taken[(key, year)] * 5 // 4, 100_000_000),
                "committed_minor": taken[(key, year)],
                "paid_minor": paid[(key, year)],
                "id": self.ids.uuid(),
                "created_at": STAMP,
            }
            for key in s.programmes
            for year in (2025, 2026)
        ]
        self.w.put("subsidy_budgets", budgets)
        enrolments = [
            {
                "programme_id": s.programmes[key],
                "sponsor_id": s.sponsors[key],
                "policyholder_id": self.h_ids[k],
                "enrolled_on": dt.date(2025, 1, 2) if key == "yiwu" else dt.date(2025, 4, 20),
                "id": self.ids.uuid(),
                "created_at": STAMP,
            }
            for key, holders in (("yiwu", self.yiwu), ("shenzhen", self.shenzhen))
            for k in holders
        ]
        self.w.put("subsidy_enrolments", enrolments)
        rows: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        for (key, payee, currency, on), parts in payments.items():
            payment_id = self.ids.uuid()
            rows.append(
                {
                    "programme_id": s.programmes[key],
                    "sponsor_id": s.sponsors[key],
                    "payee_id": payee,
                    "kind": "direct",
                    "currency": currency,
                    "amount_minor": sum(a for _, a in parts),
                    "paid_on": on,
                    "idempotency_key": f"bench-{on.isoformat()}",
                    "id": payment_id,
                    "created_at": STAMP,
                }
            )
            lines.extend({"payment_id": payment_id, "commitment_id": c, "amount_minor": a} for c, a in parts)
        self.w.put("subsidy_payments", rows)
        self.w.put("subsidy_payment_lines", lines)
