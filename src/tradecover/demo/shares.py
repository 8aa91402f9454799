"""Splitting a whole number of demo objects across markets, bands or kinds by integer weights."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

REGISTRATION_ALPHABET = (
    "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the Chinese credit code alphabet: no I, O, S, V, Z
)


def split_by_weight(total: int, weights: Sequence[int]) -> list[int]:
    """Counts proportional to the weights that add up to `total` exactly (largest remainder, ties first)."""
    weight_sum = sum(weights)
    if total < 0 or weight_sum <= 0 or any(w < 0 for w in weights):
        raise ValueError("need a non-negative total and non-negative weights with a positive sum")
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors


def registration_number(rng: random.Random, pattern: str) -> str:
    """A number in a registry's form: `#` becomes a digit, `@` a letter or digit, the rest is kept."""
    return "".join(
        rng.choice("0123456789") if c == "#" else rng.choice(REGISTRATION_ALPHABET) if c == "@" else c
        for c in pattern
    )


def distinct(candidate: Callable[[], str], taken: set[str], attempts: int = 20) -> str:
    """A candidate not yet taken (numbered once the fragments run out); it is added to `taken`."""
    name = candidate()
    for _ in range(attempts):
        if name not in taken:
            break
        name = candidate()
    base, number = name, 2
    while name in taken:
        name, number = f"{base} No. {number}", number + 1
    taken.add(name)
    return name
