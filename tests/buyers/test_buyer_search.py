"""Searching the shared buyer registry page by page, and getting one buyer."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import (
    BuyerRegistration,
    BuyerSearch,
    get_buyer,
    register_buyers,
    search_buyers,
)
from tradecover.errors import NotFound, ValidationError
from tradecover.parties.actor import Actor


@pytest.fixture
def registry(db: Session) -> list[uuid.UUID]:
    rows = [
        BuyerRegistration(
            "Bluewater Retail Inc.", "US", "12-3456789", BuyerKind.COMPANY, "retail_wholesale", 4
        ),
        BuyerRegistration("Rhein Retail GmbH", "DE", "HRB 1", BuyerKind.COMPANY, "retail_wholesale", 2),
        BuyerRegistration(
            "Guangxi Transport Investment",
            "CN",
            "91450000",
            BuyerKind.STATE_OWNED_ENTERPRISE,
            "construction",
            6,
        ),
        BuyerRegistration(
            "Kunming City Finance Bureau", "CN", "11530100", BuyerKind.LOCAL_GOVERNMENT, "public_sector", 5
        ),
        BuyerRegistration(
            "Gulf Coast Retail LLC", "US", "98-7654321", BuyerKind.COMPANY, "retail_wholesale", 9
        ),
    ]
    return register_buyers(db, Actor.system(), rows)


def _names(db: Session, search: BuyerSearch, **paging: int) -> list[str]:
    return [buyer.name for buyer in search_buyers(db, search, **paging).items]


def test_buyers_are_found_by_any_case_name_part_country_number_kind_and_grade_range(
    db: Session, registry: list[uuid.UUID]
) -> None:
    assert _names(db, BuyerSearch(name="RETAIL")) == [
        "Bluewater Retail Inc.",
        "Gulf Coast Retail LLC",
        "Rhein Retail GmbH",
    ]
    assert _names(db, BuyerSearch(name="retail", country="us")) == [
        "Bluewater Retail Inc.",
        "Gulf Coast Retail LLC",
    ]
    assert _names(db, BuyerSearch(registration_number=" hrb 1")) == ["Rhein Retail GmbH"]
    assert _names(db, BuyerSearch(kind="local_government")) == ["Kunming City Finance Bureau"]
    assert _names(db, BuyerSearch(grade_min=5, grade_max=6)) == [
        "Guangxi Transport Investment",
        "Kunming City Finance Bureau",
    ]
    assert _names(db, BuyerSearch(grade_min=9)) == ["Gulf Coast Retail LLC"]


def test_results_come_in_pages_with_the_total(db: Session, registry: list[uuid.UUID]) -> None:
    first = search_buyers(db, BuyerSearch(), page=1, page_size=2)
    last = search_buyers(db, BuyerSearch(), page=3, page_size=2)
    assert (first.total, first.pages, len(first.items)) == (5, 3, 2)
    assert [b.name for b in last.items] == ["Rhein Retail GmbH"]
    assert search_buyers(db, BuyerSearch(), page=4, page_size=2).items == []


@pytest.mark.parametrize(
    ("search", "paging", "field"),
    [
        (BuyerSearch(grade_min=0), {}, "grade"),
        (BuyerSearch(grade_min=6, grade_max=5), {}, "grade_min"),
        (BuyerSearch(kind="charity"), {}, "kind"),
        (BuyerSearch(), {"page": 0}, "page"),
        (BuyerSearch(), {"page_size": 201}, "page_size"),
    ],
)
def test_a_bad_search_is_refused_naming_the_field(
    db: Session, search: BuyerSearch, paging: dict[str, int], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        search_buyers(db, search, **paging)
    assert refused.value.field == field


def test_one_buyer_is_got_by_id_and_an_unknown_id_is_not_found(
    db: Session, registry: list[uuid.UUID]
) -> None:
    assert get_buyer(db, registry[1]).name == "Rhein Retail GmbH"
    with pytest.raises(NotFound):
        get_buyer(db, uuid.uuid4())
