"""The declared shipments of the book, month by month, as ready rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from oversight_book.market import (
    AS_OF,
    BUYERS_PER_HOLDER,
    DCL_MINOR,
    DCL_SLOTS,
    LIMIT_SLOTS,
    NULL,
    POOL_START,
    _days,
)
from oversight_book.state import GeneratorState


class DeclarationsStep(GeneratorState):
    """The declared shipments."""

    # -- shipments --------------------------------------------------------------------------------------
    def shipments(self) -> None:
        """The declarations, month by month (growing about 15% a year), as ready rows."""
        rng, p = self.rng, self.p
        base = dt.date(2023, 12, 1)
        days = _days(base, 1200)
        iso = [d.isoformat() for d in days]
        sqlite = self.w.backend == "sqlite"
        stamp = [f"{s} 10:00:00.000000" if sqlite else f"{s} 10:00:00+00" for s in iso]
        as_of = (AS_OF - base).days
        claim_cutoff = (dt.date(2025, 10, 1) - base).days
        n_policies = len(p.ids)
        by_year = {y: np.array([self.policy_of[(k, y)] for k in range(self.n_holders)]) for y in (2024, 2025)}
        pool_policy = np.array([self.policy_of.get((k, 0), -1) for k in range(self.n_holders)])
        currencies = ["CNY", "USD", "EUR"]
        p_currency = np.array([currencies.index(c) for c in p.currency])
        p_hex = [i.hex for i in p.ids]
        dcl = np.array([DCL_MINOR[c] for c in currencies], np.int64)
        scale = np.array([7, 1, 1], np.int64)
        weights = self.h_size / self.h_size.sum()
        months = [dt.date(2024 + m // 12, m % 12 + 1, 1) for m in range(24)]
        growth = np.array([1.15 ** (m / 12) * (1 + 0.08 * np.sin(m * np.pi / 6)) for m in range(24)])
        counts = np.floor(growth / growth.sum() * self.n_shipments).astype(int)
        counts[-1] += self.n_shipments - counts.sum()
        self.premium = np.zeros((n_policies, 24), np.int64)
        self.claimed = []
        names = [
            "id",
            "policy_id",
            "buyer_id",
            "invoice_number",
            "currency",
            "amount_minor",
            "shipment_date",
            "due_date",
            "declared_on",
            "declared_at",
            "insured_minor",
            "premium_minor",
            "paid_minor",
            "settled_on",
            "max_credit_days",
            "deadline",
            "cover_source",
            "cover_minor",
            "exposure_minor",
        ]
        number = 0
        text_rows = not sqlite  # COPY lines made here: the generic per-value path costs more than the rest
        for m, month in enumerate(months):
            count = int(counts[m])
            length = (months[m + 1] - month).days if m < 23 else 31
            first = (month - base).days
            h = rng.choice(self.n_holders, count, p=weights)
            ship = first + rng.integers(0, length, count)
            slot = rng.integers(0, BUYERS_PER_HOLDER, count)
            pol = by_year[month.year][h]
            pooled = np.zeros(count, bool)
            if month >= POOL_START.replace(day=1):
                pooled = (
                    (pool_policy[h] >= 0) & (rng.random(count) < 0.3) & (ship >= (POOL_START - base).days)
                )
                pol = np.where(pooled, pool_policy[h], pol)
                slot = np.where(pooled, rng.integers(0, 20, count), slot)
            buyer = np.where(pooled, self.h_domestic[h, slot], self.h_buyers[h, slot])
            cur = p_currency[pol]
            amount = (rng.lognormal(np.log(20_000), 1.0, count) * scale[cur]).astype(
                np.int64
            ) * 100 + rng.integers(1, 100, count)
            limit = self.limit[pol, slot]
            on_dcl = (limit < 0) & (slot >= LIMIT_SLOTS) & (slot < DCL_SLOTS) & ~pooled
            insured = np.where(limit > 0, np.minimum(amount, limit), 0)
            insured = np.where(on_dcl, np.minimum(amount, dcl[cur]), insured)
            source = np.where(limit >= 0, 0, np.where(on_dcl, 1, 2))
            cover = np.where(limit >= 0, np.maximum(limit, 0), np.where(on_dcl, dcl[cur], 0))
            credit = rng.choice([30, 60, 90, 120], count, p=[0.2, 0.4, 0.3, 0.1])
            due = ship + credit
            declared = ship + rng.integers(0, 5, count)
            premium = (insured * (15 + 5 * self.b_grade[buyer]) + 5000) // 10000
            u = rng.random(count)
            past = due < as_of
            full = np.where(past, u < 0.955, u < 0.2)
            half = past & (u >= 0.955) & (u < 0.975)
            paid = np.where(full, amount, np.where(half, amount // 2, 0))
            settled = np.minimum(np.maximum(due + rng.integers(-10, 15, count), ship), as_of)
            claim = (paid == 0) & (insured > 0) & (due < claim_cutoff) & (rng.random(count) < 0.06)
            np.add.at(self.premium, (pol, np.full(count, m)), premium)
            rows: list[Any] = []
            sources = ("limit", "dcl", "none")
            for pp, bb, cc, aa, ss, dd, de, ii, pr, pa, fu, se, so, co, cl in zip(
                pol.tolist(),
                buyer.tolist(),
                cur.tolist(),
                amount.tolist(),
                ship.tolist(),
                due.tolist(),
                declared.tolist(),
                insured.tolist(),
                premium.tolist(),
                paid.tolist(),
                full.tolist(),
                settled.tolist(),
                source.tolist(),
                cover.tolist(),
                claim.tolist(),
                strict=True,
            ):
                number += 1
                sid = self.ids.hex()
                invoice = f"S{number:08d}"
                settled_text = iso[se] if fu else None
                if text_rows:
                    rows.append(
                        f"{sid}\t{p_hex[pp]}\t{self.b_hex[bb]}\t{invoice}\t{currencies[cc]}\t{aa}\t{iso[ss]}\t"
                        f"{iso[dd]}\t{iso[de]}\t{stamp[de]}\t{ii}\t{pr}\t{pa}\t{settled_text or NULL}\t180\t"
                        f"{iso[ss + 7]}\t{sources[so]}\t{co}\t{aa}"
                    )
                else:
                    rows.append(
                        (
                            sid,
                            p_hex[pp],
                            self.b_hex[bb],
                            invoice,
                            currencies[cc],
                            aa,
                            iso[ss],
                            iso[dd],
                            iso[de],
                            stamp[de],
                            ii,
                            pr,
                            pa,
                            settled_text,
                            180,
                            iso[ss + 7],
                            sources[so],
                            co,
                            aa,
                        )
                    )
                if cl:
                    self.claimed.append((sid, pp, bb, aa, ii, days[ss], days[dd], currencies[cc], invoice))
            if text_rows:
                self.w.put_lines("shipments", names, rows)
            else:
                self.w.put_raw("shipments", names, rows)
