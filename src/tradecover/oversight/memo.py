"""Figures that one view reads in more than one section, computed once for the view's duration."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

MEMO_KEY = "oversight_view_memo"
T = TypeVar("T")


@contextmanager
def view_memo(session: Session) -> Iterator[None]:
    """Keep figures computed inside the block for the rest of the block (one view), then forget them."""
    session.info[MEMO_KEY] = {}
    try:
        yield
    finally:
        session.info.pop(MEMO_KEY, None)


def in_view(session: Session) -> bool:
    """Whether the session is building a view (figures computed now are kept for the rest of it)."""
    return MEMO_KEY in session.info


def memoised(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave earlier in the same view; outside a view, always computed."""
    memo: dict[Hashable, Any] | None = session.info.get(MEMO_KEY)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]
