"""Credit limits of the book, with their request, decision and reduction events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from oversight_book.market import BUYERS_PER_HOLDER, LIMIT_SLOTS, POOL_END, SECTORS
from oversight_book.state import GeneratorState


class LimitsStep(GeneratorState):
    """Credit limits and their events."""

    def limits(self) -> None:
        """Limits on each policy's first buyers, with their request and decision events (some reduced)."""
        rng, p = self.rng, self.p
        n = len(p.ids)
        # limit[p, slot]: -1 none, 0 declined, else the amount in force (policy currency minor units).
        self.limit = np.full((n, BUYERS_PER_HOLDER), -1, np.int64)
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        event_id = 0
        for index in range(n):
            holder, currency, start = p.holder[index], p.currency[index], p.start[index]
            slots = 15 if p.pool[index] else LIMIT_SLOTS
            buyers = self.h_domestic[holder] if p.pool[index] else self.h_buyers[holder]
            scale = 7 if currency == "CNY" else 1
            requested = (rng.lognormal(np.log(150_000), 0.8, slots) * scale).astype(np.int64) * 100 + 100
            outcome = rng.random(slots)
            days = rng.integers(0, 40, slots)
            usd = self.rate(currency, "USD", start)
            for slot in range(slots):
                b = int(buyers[slot])
                asked = int(requested[slot])
                day = start + dt.timedelta(days=int(days[slot]))
                if outcome[slot] < 0.05:
                    status, amount, kind = "declined", 0, "declined"
                elif outcome[slot] < 0.15:
                    status, amount, kind = "partly_approved", asked // 2, "partly_approved"
                else:
                    status, amount, kind = "approved", asked, "approved"
                reduced = outcome[slot] > 0.95
                limit_id = self.ids.uuid()
                final = amount // 2 if reduced else amount
                self.limit[index, slot] = final
                live = status != "declined"
                ends = (
                    (start.replace(year=start.year + 1) - dt.timedelta(days=1))
                    if not p.pool[index]
                    else POOL_END
                )
                rows.append(
                    {
                        "policy_id": p.ids[index],
                        "buyer_id": self.b_ids[b],
                        "live_buyer_id": self.b_ids[b] if live else None,
                        "policyholder_id": self.h_ids[holder],
                        "insurer_id": p.insurer[index],
                        "buyer_country": self.b_country[b],
                        "buyer_sector": SECTORS[self.b_sector[b]],
                        "currency": currency,
                        "requested_minor": asked,
                        "usd_rate": usd,
                        "requested_on": day,
                        "status": "reduced" if reduced and live else status,
                        "two_approvals_needed": False,
                        "amount_minor": final,
                        "capacity_usd_minor": int(final * usd),
                        "rule": "amount_band",
                        "reason": "decided by the rules",
                        "decided_on": day,
                        "review_on": day + dt.timedelta(days=365),
                        "ends_on": ends,
                        "bars_dcl": not live,
                        "id": limit_id,
                        "created_at": dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
                    }
                )
                at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
                event_id += 1
                events.append(
                    {
                        "id": event_id,
                        "limit_id": limit_id,
                        "sequence": 1,
                        "kind": "requested",
                        "effective_on": day,
                        "at": at,
                        "reason": "requested",
                    }
                )
                event_id += 1
                events.append(
                    {
                        "id": event_id,
                        "limit_id": limit_id,
                        "sequence": 2,
                        "kind": kind,
                        "amount_minor": amount,
                        "effective_on": day,
                        "at": at,
                        "organisation_id": p.insurer[index],
                        "rule": "amount_band",
                        "reason": "decided by the rules",
                    }
                )
                if reduced and live:
                    later = day + dt.timedelta(days=120)
                    event_id += 1
                    events.append(
                        {
                            "id": event_id,
                            "limit_id": limit_id,
                            "sequence": 3,
                            "kind": "reduced",
                            "amount_minor": final,
                            "effective_on": later + dt.timedelta(days=30),
                            "at": dt.datetime.combine(later, dt.time(10), tzinfo=dt.UTC),
                            "organisation_id": p.insurer[index],
                            "reason": "buyer downgraded",
                        }
                    )
        self.w.put("credit_limits", rows)
        self.w.put("limit_events", events)
