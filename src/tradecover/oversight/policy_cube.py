"""Insured turnover and earned premium per month, currency and policy dimension, read once per view.

The per-policy monthly totals (daily ones at a range's edges) joined to their few thousand policies and
parties, grouped by the dimensions read from the policy: product, insurer or pool, the policyholder's
region and size. Coverage, its breakdowns and earned premium all read this one query in a view.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from tradecover.oversight.memo import memoised
from tradecover.oversight.scope import EXEMPT, Scope
from tradecover.oversight.sql import Ranges, read_rows
from tradecover.oversight.totals import MonthRow, turnover_parts
from tradecover.oversight.totals_refresh import refresh_totals
from tradecover.parties.model import Organisation
from tradecover.policies.model import Policy

UNKNOWN = "unknown"

Cube = list[tuple[Any, str, tuple[Any, ...], int]]  # (month_key, currency, dimension values, amount_minor)

_holder = aliased(Organisation, name="holder")
_insurer = aliased(Organisation, name="insurer")


@dataclass(frozen=True, slots=True)
class PolicyCube:
    """Insured turnover per (month, currency, product, insurer, region, size); earned premium per month."""

    insured: Cube
    earned: list[MonthRow]  # (month_key, currency, "", premium_minor)


def policy_cube(session: Session, scope: Scope, ranges: Ranges) -> PolicyCube:
    """The policy-dimension cube of the scope's declarations dated in the ranges (once per view)."""
    return memoised(session, ("policy_cube", scope, ranges), partial(_policy_cube, session, scope, ranges))


def _policy_cube(session: Session, scope: Scope, ranges: Ranges) -> PolicyCube:
    refresh_totals(session)
    # Not summed per policy first: whole months already are, and the group by below sums edge days too.
    per_policy = turnover_parts(ranges, scope.restrict, ("insured", "premium"), lambda policy_id: policy_id)
    month, currency, policy_id = per_policy.c.month, per_policy.c.currency, per_policy.c.key
    size = case((_holder.is_sme.is_(True), "sme"), (_holder.is_sme.is_(False), "large"), else_=UNKNOWN)
    keys = (Policy.product_kind, _insurer.name, _holder.region, size)
    query = (
        select(month, currency, *keys, func.sum(per_policy.c.insured), func.sum(per_policy.c.premium))
        .select_from(per_policy)
        .join(Policy, Policy.id == policy_id)
        .join(_insurer, _insurer.id == Policy.insurer_id)
        .join(_holder, _holder.id == Policy.policyholder_id)
        .group_by(month, currency, *keys)
        .execution_options(**EXEMPT)
    )
    insured: Cube = []
    earned: dict[tuple[Any, str], int] = defaultdict(int)
    for row in read_rows(session, query):
        insured.append((row[0], row[1], tuple(row[2:6]), int(row[6] or 0)))
        earned[(row[0], row[1])] += int(row[7] or 0)
    return PolicyCube(insured, [(month, code, "", amount) for (month, code), amount in earned.items()])
