"""Claims of the book with their invoices, members' shares and recoveries."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from oversight_book.market import AS_OF, STAMP, _half_up
from oversight_book.state import GeneratorState


class ClaimsStep(GeneratorState):
    """Claims, members' shares and recoveries."""

    # -- claims, financing, ledger ----------------------------------------------------------------------
    def claims(self) -> None:
        """A claim on each claimed shipment whose loss date has come: filed, decided, paid, some recovered."""
        p, rng = self.p, self.py
        claims, invoices, shares, recoveries, recovery_shares = [], [], [], [], []
        share_id = recovery_share_id = 0
        for number, (sid, index, buyer, amount, insured, ship, due, currency, invoice) in enumerate(
            self.claimed, 1
        ):
            insolvency = rng.random() < 0.4
            loss = due + dt.timedelta(days=30 if insolvency else 120)
            filed = loss + dt.timedelta(days=rng.randint(1, 60))
            if filed > AS_OF:
                continue
            claim_id = self.ids.uuid()
            insurer = p.insurer[index]
            docs = filed + dt.timedelta(days=rng.randint(0, 20))
            decided = docs + dt.timedelta(days=rng.choice((5, 10, 15, 20, 25, 28, 35, 45)))
            outcome = None
            status = "filed"
            if docs <= AS_OF:
                status = "documents_complete"
            if decided <= AS_OF:
                draw = rng.random()
                outcome = "rejected" if draw < 0.1 else ("partly_approved" if draw < 0.15 else "approved")
            indemnity = (
                None if outcome is None else (0 if outcome == "rejected" else _half_up(insured * 9, 10))
            )
            if outcome == "partly_approved" and indemnity:
                indemnity = indemnity * 7 // 10
            paid_on = decided + dt.timedelta(days=rng.randint(1, 8)) if indemnity else None
            if paid_on and paid_on > AS_OF:
                paid_on = None
            if outcome == "rejected":
                status = "closed"
            elif outcome:
                status = "paid" if paid_on else "assessed"
            recovered = (
                paid_on is not None and rng.random() < 0.1 and paid_on + dt.timedelta(days=60) <= AS_OF
            )
            if recovered:
                status = "recovering"
            claims.append(
                {
                    "number": f"CLM-{number:06d}",
                    "policy_id": p.ids[index],
                    "policyholder_id": self.h_ids[p.holder[index]],
                    "insurer_id": insurer,
                    "buyer_id": self.b_ids[buyer],
                    "cause": "insolvency" if insolvency else "protracted_default",
                    "date_of_loss": loss,
                    "insolvency_date": loss if insolvency else None,
                    "currency": currency,
                    "policy_year_start": p.start[index],
                    "filed_on": filed,
                    "filed_at": dt.datetime.combine(filed, dt.time(11), tzinfo=dt.UTC),
                    "filed_by_organisation_id": self.h_ids[p.holder[index]],
                    "credits": [],
                    "status": status,
                    "outcome": outcome,
                    "decision_reason": "assessed" if outcome else None,
                    "documents_complete_on": docs if docs <= AS_OF else None,
                    "decision_deadline": docs + dt.timedelta(days=30) if docs <= AS_OF else None,
                    "decided_on": decided if outcome else None,
                    "payment_deadline": decided + dt.timedelta(days=5) if indemnity else None,
                    "paid_on": paid_on,
                    "closed_on": decided if outcome == "rejected" else None,
                    "insured_loss_minor": insured if outcome else None,
                    "afl_used_minor": 0 if outcome else None,
                    "computed_indemnity_minor": _half_up(insured * 9, 10) if outcome else None,
                    "indemnity_minor": indemnity,
                    "id": claim_id,
                    "created_at": dt.datetime.combine(filed, dt.time(11), tzinfo=dt.UTC),
                }
            )
            invoices.append(
                {
                    "id": number,
                    "claim_id": claim_id,
                    "position": 1,
                    "shipment_id": uuid.UUID(sid),
                    "live_shipment_id": None if outcome == "rejected" else uuid.UUID(sid),
                    "invoice_number": invoice,
                    "currency": currency,
                    "shipment_date": ship,
                    "due_date": due,
                    "amount_minor": amount,
                    "insured_minor": insured,
                    "paid_minor": 0,
                    "unpaid_insured_minor": insured if outcome else None,
                }
            )
            if not indemnity:
                continue
            parts = self._split(indemnity) if p.pool[index] else [(insurer, Decimal(1), indemnity)]
            for position, (member, share, part) in enumerate(parts, start=1):
                share_id += 1
                shares.append(
                    {
                        "id": share_id,
                        "claim_id": claim_id,
                        "member_id": member,
                        "position": position,
                        "share": share,
                        "currency": currency,
                        "amount_minor": part,
                        "to_bank_minor": 0,
                        "to_insured_minor": part,
                        "paid_on": paid_on,
                        "paid_at": dt.datetime.combine(paid_on, dt.time(15), tzinfo=dt.UTC)
                        if paid_on
                        else None,
                    }
                )
            if recovered:
                assert paid_on is not None
                recovery_id = self.ids.uuid()
                gross = insured // 5 + 1
                costs = gross // 10
                net = gross - costs
                to_insurers = min(_half_up(net * indemnity, insured), indemnity)
                recoveries.append(
                    {
                        "claim_id": claim_id,
                        "currency": currency,
                        "received_on": paid_on + dt.timedelta(days=60),
                        "amount_minor": gross,
                        "costs_minor": costs,
                        "net_minor": net,
                        "insurers_minor": to_insurers,
                        "insured_minor": net - to_insurers,
                        "id": recovery_id,
                        "created_at": STAMP,
                    }
                )
                for position, (member, share, part) in enumerate(
                    self._split(to_insurers) if p.pool[index] else [(insurer, Decimal(1), to_insurers)],
                    start=1,
                ):
                    recovery_share_id += 1
                    recovery_shares.append(
                        {
                            "id": recovery_share_id,
                            "recovery_id": recovery_id,
                            "claim_id": claim_id,
                            "member_id": member,
                            "position": position,
                            "share": share,
                            "currency": currency,
                            "amount_minor": part,
                        }
                    )
        self.w.put("claims", claims)
        self.w.put("claim_invoices", invoices)
        self.w.put("claim_member_shares", shares)
        self.w.put("recoveries", recoveries)
        self.w.put("recovery_shares", recovery_shares)
