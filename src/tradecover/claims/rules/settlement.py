"""Who pays an indemnity and to whom (DESIGN §2 "Claim", "Coinsurance pool", "Financing").

The indemnity is split among the pool members by share with `coinsurance.rules.apportion` (largest
remainder; equal remainders to the earlier member in the pool's order, leader first), so the parts add up
exactly; a single insurer is a pool of one. When the policy is assigned to a bank, the bank is owed
min(indemnity, its outstanding drawing): the members' parts go to the bank in the pool's order until that
is reached, the rest to the insured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tradecover.coinsurance.rules import MemberShare, apportion
from tradecover.errors import ValidationError
from tradecover.money import Money


def split_among_members(indemnity: Money, members: Sequence[MemberShare]) -> list[Money]:
    """Each member's part of the indemnity, in the order given; ties go by pool position, leader first."""
    if not members:
        raise ValidationError("a claim needs at least one insurer", field="members")
    if indemnity.is_negative:
        raise ValidationError("an indemnity cannot be negative", field="indemnity")
    order = sorted(range(len(members)), key=lambda i: members[i].position)
    parts = apportion(indemnity, [members[i] for i in order])
    result = [Money.zero(indemnity.currency)] * len(members)
    for i, part in zip(order, parts, strict=True):
        result[i] = part
    return result


def bank_owed(indemnity: Money, outstanding_drawing: Money | None) -> Money | None:
    """What the loss-payee bank is owed: min(indemnity, outstanding drawing); None without a bank."""
    if outstanding_drawing is None:
        return None
    return indemnity.min(outstanding_drawing.max(Money.zero(indemnity.currency)))


def payee_split(member_parts: Sequence[Money], bank_owed: Money | None) -> list[tuple[Money, Money]]:
    """(to the bank, to the insured) for each member part, in pool order: the bank is paid first."""
    if not member_parts:
        return []
    currency = member_parts[0].currency
    zero = Money.zero(currency)
    owed = zero if bank_owed is None else bank_owed.max(zero)
    result: list[tuple[Money, Money]] = []
    for part in member_parts:
        to_bank = part.min(owed).max(zero)
        owed = owed - to_bank
        result.append((to_bank, part - to_bank))
    return result


@dataclass(frozen=True, slots=True)
class MemberSettlement:
    """One member's part of an indemnity and where it goes."""

    member: MemberShare
    amount: Money
    to_bank: Money
    to_insured: Money

    def to_json(self) -> dict[str, Any]:
        """The member's settlement as JSON (minor units and decimal strings)."""
        return {
            "insurer_id": str(self.member.insurer_id),
            "share": str(self.member.share),
            "position": self.member.position,
            "amount_minor": self.amount.minor_units,
            "amount": str(self.amount.amount),
            "to_bank_minor": self.to_bank.minor_units,
            "to_bank": str(self.to_bank.amount),
            "to_insured_minor": self.to_insured.minor_units,
            "to_insured": str(self.to_insured.amount),
        }


def settle(
    indemnity: Money, members: Sequence[MemberShare], outstanding_drawing: Money | None
) -> list[MemberSettlement]:
    """The member split and the payee split together, members in pool order (leader first)."""
    ordered = sorted(members, key=lambda m: m.position)
    parts = split_among_members(indemnity, ordered)
    owed = bank_owed(indemnity, outstanding_drawing)
    return [
        MemberSettlement(member, part, to_bank, to_insured)
        for member, part, (to_bank, to_insured) in zip(ordered, parts, payee_split(parts, owed), strict=True)
    ]
