"""How a recovery after payment is shared (DESIGN §2 "Claim", Recoveries).

net recovery = recovery − collection costs, never below zero. The insurers receive net × indemnity ÷
insured loss, rounded half up once, but never more in total over all the claim's recoveries than the
indemnity they paid; their part is split among them by share (largest remainder, pool order, leader
first); the insured keeps the rest of the net recovery. A recovery does not restore the maximum liability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tradecover.claims.rules.indemnity import half_up
from tradecover.claims.rules.settlement import split_among_members
from tradecover.coinsurance.rules import MemberShare
from tradecover.errors import ValidationError
from tradecover.money import Money


@dataclass(frozen=True, slots=True)
class RecoverySplit:
    """One recovery shared out: net, the insurers' part (before and after the cap), members, insured."""

    recovery: Money
    costs: Money
    net: Money
    insurers_proportional: Money  # net × indemnity ÷ insured loss, rounded half up
    insurers_left_before: Money  # what the indemnity still allows the insurers to receive
    insurers: Money
    member_parts: tuple[Money, ...]  # in the order of the members given
    insured: Money

    def to_json(self) -> dict[str, Any]:
        """The split as JSON (minor units and decimal strings)."""
        result: dict[str, Any] = {"currency": self.recovery.currency}
        for name in (
            "recovery",
            "costs",
            "net",
            "insurers_proportional",
            "insurers_left_before",
            "insurers",
            "insured",
        ):
            money: Money = getattr(self, name)
            result[f"{name}_minor"] = money.minor_units
            result[name] = str(money.amount)
        result["member_parts_minor"] = [part.minor_units for part in self.member_parts]
        return result


def split_recovery(
    recovery: Money,
    costs: Money,
    *,
    indemnity: Money,
    insured_loss: Money,
    insurers_received_before: Money,
    members: Sequence[MemberShare],
) -> RecoverySplit:
    """Share one recovery between the insurers (by share) and the insured."""
    currency = recovery.currency
    zero = Money.zero(currency)
    if recovery.is_negative:
        raise ValidationError("a recovery cannot be negative", field="amount")
    if costs.is_negative:
        raise ValidationError("collection costs cannot be negative", field="costs")
    if indemnity.is_negative or insured_loss.is_negative or insurers_received_before.is_negative:
        raise ValidationError("the claim's amounts cannot be negative", field="indemnity")
    if indemnity > insured_loss:
        raise ValidationError("the indemnity cannot exceed the insured loss", field="indemnity")
    net = (recovery - costs).max(zero)
    if insured_loss.is_zero:
        proportional = zero
    else:
        proportional = Money.from_minor(
            half_up(net.minor_units * indemnity.minor_units, insured_loss.minor_units), currency
        )
    left_before = (indemnity - insurers_received_before).max(zero)
    insurers = proportional.min(left_before)
    parts = split_among_members(insurers, members)
    return RecoverySplit(
        recovery=recovery,
        costs=costs,
        net=net,
        insurers_proportional=proportional,
        insurers_left_before=left_before,
        insurers=insurers,
        member_parts=tuple(parts),
        insured=net - insurers,
    )
