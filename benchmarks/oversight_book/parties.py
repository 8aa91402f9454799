"""Policyholders, buyers and policies of the book."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import numpy as np

from oversight_book.market import (
    AS_OF,
    BUYERS_PER_HOLDER,
    EXPORT_COUNTRIES,
    EXPORT_WEIGHTS,
    INSURERS,
    POOL_END,
    POOL_START,
    REGION_WEIGHTS,
    REGIONS,
    SECTORS,
    STAMP,
)
from oversight_book.state import GeneratorState, Policies
from tradecover.parties.roles import OrganisationKind
from tradecover.policies.terms import ProductKind


class PartiesStep(GeneratorState):
    """Policyholders, buyers, and the policies with their first versions."""

    # -- parties ----------------------------------------------------------------------------------------
    def parties(self) -> None:
        """Policyholders (regions, SMEs, sizes) and buyers (countries, sectors, grades)."""
        rng, n = self.rng, self.n_holders
        weights = np.array(REGION_WEIGHTS, float)
        self.h_region = rng.choice(len(REGIONS), n, p=weights / weights.sum())
        self.h_sme = rng.random(n) < 0.8
        self.h_size = np.where(self.h_sme, rng.lognormal(0, 0.6, n), rng.lognormal(1.6, 0.6, n))
        iw = np.array([w for _, w in INSURERS], float)
        self.h_insurer = rng.choice(len(INSURERS), n, p=iw / iw.sum())
        self.h_currency = rng.choice(["CNY", "USD", "EUR"], n, p=[0.45, 0.45, 0.10])
        self.h_ids = [self.ids.uuid() for _ in range(n)]
        self.w.put(
            "organisations",
            (
                {
                    "name": f"Bench Exporter {k:05d}",
                    "kind": OrganisationKind.POLICYHOLDER,
                    "country": "CN",
                    "region": REGIONS[self.h_region[k]],
                    "registration_number": f"BENCH-PH-{k:05d}",
                    "is_sme": bool(self.h_sme[k]),
                    "prior_year_exports_usd_minor": int(self.h_size[k] * 2_000_000) * 100,
                    "sector": SECTORS[k % len(SECTORS)],
                    "id": self.h_ids[k],
                    "created_at": STAMP,
                }
                for k in range(n)
            ),
        )
        m = self.n_buyers
        domestic = m // 5
        ew = np.array(EXPORT_WEIGHTS, float)
        countries = ["CN"] * domestic + [
            EXPORT_COUNTRIES[c] for c in rng.choice(len(EXPORT_COUNTRIES), m - domestic, p=ew / ew.sum())
        ]
        self.b_country = countries
        self.b_grade = rng.choice(np.arange(1, 10), m, p=[0.04, 0.08, 0.14, 0.2, 0.2, 0.14, 0.1, 0.06, 0.04])
        self.b_sector = rng.integers(0, len(SECTORS), m)
        self.b_ids = [self.ids.uuid() for _ in range(m)]
        self.b_hex = [b.hex for b in self.b_ids]
        self.w.put(
            "buyers",
            (
                {
                    "name": f"Bench Buyer {k:07d}",
                    "country": countries[k],
                    "registration_number": f"BB-{k:07d}",
                    "kind": "state_owned_enterprise" if countries[k] == "CN" and k % 25 == 0 else "company",
                    "sector": SECTORS[self.b_sector[k]],
                    "grade": int(self.b_grade[k]),
                    "annual_sales_usd_minor": (k % 97 + 3) * 10**8,
                    "id": self.b_ids[k],
                    "created_at": STAMP,
                }
                for k in range(m)
            ),
        )
        # Each holder's export buyers (anywhere but China) and, for pool policies, Chinese buyers.
        # Distinct buyers per holder: one limit per policy and buyer.
        self.h_buyers = np.stack(
            [domestic + rng.choice(m - domestic, BUYERS_PER_HOLDER, replace=False) for _ in range(n)]
        )
        self.h_domestic = np.stack([rng.choice(domestic, BUYERS_PER_HOLDER, replace=False) for _ in range(n)])
        self.pool_holders = set(int(k) for k in rng.choice(n, max(1, n // 10), replace=False))
        self.yiwu = [k for k in range(n) if REGIONS[self.h_region[k]] == "Yiwu"]
        self.shenzhen = [k for k in range(n) if REGIONS[self.h_region[k]] == "Shenzhen" and self.h_sme[k]]
        self.shenzhen = self.shenzhen[: len(self.shenzhen) * 7 // 10]
        self.financed = [k for k in range(n) if k not in self.pool_holders][:3]

    # -- policies and limits -------------------------------------------------------------------------
    def policies(self) -> None:
        """Two yearly export policies per holder, a domestic pool policy for a tenth, their first versions."""
        s, p = self.setup, Policies()
        self.facility_ids = {k: self.ids.uuid() for k in self.financed}
        rows: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        self.policy_of = {}  # (holder, year or 0 for the pool policy) → policy
        for year in (2024, 2025):
            for k in range(self.n_holders):
                insurer = s.insurer_ids[self.h_insurer[k]]
                product_id, table_id, terms = s.export_products[insurer]
                self._policy(
                    p,
                    rows,
                    versions,
                    k,
                    year,
                    insurer,
                    product_id,
                    table_id,
                    terms,
                    str(self.h_currency[k]),
                    dt.date(year, 1, 1),
                    dt.date(year, 12, 31),
                )
        for k in sorted(self.pool_holders):
            product_id, table_id, terms = s.pool_product
            self._policy(
                p, rows, versions, k, 0, s.pool_id, product_id, table_id, terms, "CNY", POOL_START, POOL_END
            )
        self.p = p
        self.w.put("policies", rows)
        self.w.put("policy_versions", versions)

    def _policy(
        self,
        p: Policies,
        rows: list[dict[str, Any]],
        versions: list[dict[str, Any]],
        holder: int,
        year: int,
        insurer: uuid.UUID,
        product_id: uuid.UUID,
        table_id: uuid.UUID,
        terms: dict[str, Any],
        currency: str,
        start: dt.date,
        end: dt.date,
    ) -> None:
        index = len(p.ids)
        policy_id = self.ids.uuid()
        financed = year == 2025 and holder in self.facility_ids
        pool = year == 0
        p.ids.append(policy_id)
        p.holder.append(holder)
        p.insurer.append(insurer)
        p.currency.append(currency)
        p.start.append(start)
        p.pool.append(pool)
        p.loss_payee.append(financed)
        self.policy_of[(holder, year)] = index
        expired = end < AS_OF
        rows.append(
            {
                "number": f"BP-{year or 'P'}-{holder:05d}",
                "policyholder_id": self.h_ids[holder],
                "insurer_id": insurer,
                "product_id": product_id,
                "product_kind": ProductKind.DOMESTIC_WHOLE_TURNOVER
                if pool
                else ProductKind.EXPORT_WHOLE_TURNOVER,
                "rate_table_id": table_id,
                "rate_adjustment": Decimal(0),
                "preferential_discount": Decimal(0),
                "currency": currency,
                "period_start": start,
                "period_end": end,
                "status": "expired" if expired else "in_force",
                "issued_at": dt.datetime.combine(start - dt.timedelta(days=3), dt.time(9), tzinfo=dt.UTC),
                "expired_on": end + dt.timedelta(days=1) if expired else None,
                "loss_payee_id": self.setup.bank_id if financed else None,
                "loss_payee_since": dt.date(2025, 2, 1) if financed else None,
                "loss_payee_facility_id": self.facility_ids[holder] if financed else None,
                "id": policy_id,
                "created_at": STAMP,
            }
        )
        versions.append(
            {
                "policy_id": policy_id,
                "version": 1,
                "effective_from": start,
                "reason": "issued",
                "terms_json": terms,
                "id": self.ids.uuid(),
                "created_at": STAMP,
            }
        )
