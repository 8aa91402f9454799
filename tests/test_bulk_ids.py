"""Time-ordered ids for rows inserted in bulk (`db.bulk.ordered_ids`)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from tradecover.db.bulk import ordered_ids


def test_ordered_ids_are_ascending_unique_uuid7_of_the_given_millisecond() -> None:
    now = dt.datetime(2026, 6, 15, 12, 0, 0, 123_000, tzinfo=dt.UTC)
    ids = ordered_ids(10_000, now)
    assert len(ids) == len(set(ids)) == 10_000
    assert ids == sorted(ids)
    parsed = [uuid.UUID(text) for text in ids]
    assert {(u.version, u.variant) for u in parsed} == {(7, uuid.RFC_4122)}
    assert {u.int >> 80 for u in parsed} == {int(now.timestamp() * 1000)}
    assert all(len(text) == 32 and text == u.hex for text, u in zip(ids, parsed, strict=True))


def test_one_ordered_id_does_not_tell_the_next() -> None:
    ids = [uuid.UUID(text).int for text in ordered_ids(2_000)]
    steps = {later - earlier for earlier, later in itertools.pairwise(ids)}
    # Random steps: practically all differ, and no two runs start at the same place.
    assert len(steps) > 1_990
    assert ordered_ids(1)[0][12:] != ordered_ids(1)[0][12:]


def test_no_ids_for_no_rows() -> None:
    assert ordered_ids(0) == []
