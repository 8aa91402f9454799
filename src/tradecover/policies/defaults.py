"""The default products of DESIGN §2 and the base rate grid, read from `policies/data/`."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from tradecover.errors import DomainError
from tradecover.policies.rules import RateGrid
from tradecover.policies.terms import PolicyTerms, ProductKind
from tradecover.reference.table import ReferenceDataError, read_rows


def _data_file(name: str) -> Traversable:
    return resources.files("tradecover.policies").joinpath("data", name)


@dataclass(frozen=True, slots=True)
class DefaultProduct:
    """A product as seeded for every insurer."""

    name: str
    terms: PolicyTerms


def read_default_products(path: Traversable) -> dict[ProductKind, DefaultProduct]:
    """Parse the default products file: one product per kind, terms checked."""
    data = json.loads(path.read_text(encoding="utf-8"))
    products: dict[ProductKind, DefaultProduct] = {}
    for index, entry in enumerate(data["products"]):
        try:
            terms = PolicyTerms.from_json(entry["terms"])
        except DomainError as error:
            raise ReferenceDataError(f"{path}: product {index + 1}: {error}") from None
        if terms.kind in products:
            raise ReferenceDataError(f"{path}: product {index + 1}: a second {terms.kind} product")
        products[terms.kind] = DefaultProduct(str(entry["name"]), terms)
    missing = set(ProductKind) - set(products)
    if missing:
        raise ReferenceDataError(f"{path}: no default for {sorted(missing)}")
    return products


def read_rate_grid(path: Traversable) -> RateGrid:
    """Parse a rate grid file (buyer_grade_to, country_grade, credit_days_to, rate), checked whole."""
    _, rows = read_rows(path, ("buyer_grade_to", "country_grade", "credit_days_to", "rate"))
    rates = {
        (
            row.integer("buyer_grade_to"),
            row.integer("country_grade"),
            row.integer("credit_days_to"),
        ): row.decimal("rate")
        for row in rows
    }
    try:
        return RateGrid(
            tuple(sorted({key[0] for key in rates})), tuple(sorted({key[2] for key in rates})), rates
        )
    except DomainError as error:
        raise ReferenceDataError(f"{path}: {error}") from None


@functools.cache
def default_products() -> dict[ProductKind, DefaultProduct]:
    """The shipped default products by kind."""
    return read_default_products(_data_file("products.json"))


@functools.cache
def base_rate_grid() -> RateGrid:
    """The shipped base rate grid that a new insurer's tables start from."""
    return read_rate_grid(_data_file("base_rates.csv"))
