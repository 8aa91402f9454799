"""The demo world's source data (markets, exporter cities, names, institutions, users), read from data/."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from tradecover.parties.roles import OrganisationKind, Role
from tradecover.reference.table import ReferenceDataError, read_rows


def _data(name: str) -> Traversable:
    return resources.files("tradecover.demo").joinpath("data", name)


@dataclass(frozen=True, slots=True)
class Market:
    """A buyer country: its share of the book, how its registration numbers look, its legal forms, cities."""

    country: str
    weight: int
    registration_pattern: str
    legal_forms: tuple[str, ...]
    cities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExporterCity:
    """A Chinese city where demo policyholders are registered, with its area code and typical sectors."""

    city: str
    province: str
    area_code: str
    weight: int
    sectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Institution:
    """A fixed organisation of the demo world: insurer, bank, programme body, regulator, operator."""

    key: str
    name: str
    kind: OrganisationKind
    country: str
    region: str
    registration_number: str


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo user: the organisation key it belongs to, its roles, and the role it is the sign-in for."""

    organisation: str
    email: str
    full_name: str
    roles: tuple[Role, ...]
    sign_in_for: Role | None


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


@functools.cache
def markets() -> tuple[Market, ...]:
    """The buyer markets, in file order."""
    _, rows = read_rows(
        _data("markets.csv"), ("country", "weight", "registration_pattern", "legal_forms", "cities")
    )
    return tuple(
        Market(
            country=row.text("country"),
            weight=row.integer("weight"),
            registration_pattern=row.text("registration_pattern"),
            legal_forms=_split(row.text("legal_forms")),
            cities=_split(row.text("cities")),
        )
        for row in rows
    )


@functools.cache
def exporter_cities() -> tuple[ExporterCity, ...]:
    """Where demo exporters are registered, Yiwu first."""
    _, rows = read_rows(_data("exporter_cities.csv"), ("city", "province", "area_code", "weight", "sectors"))
    return tuple(
        ExporterCity(
            city=row.text("city"),
            province=row.text("province"),
            area_code=row.text("area_code"),
            weight=row.integer("weight"),
            sectors=_split(row.text("sectors")),
        )
        for row in rows
    )


@functools.cache
def institutions() -> tuple[Institution, ...]:
    """The fixed organisations of the demo world."""
    _, rows = read_rows(
        _data("institutions.csv"), ("key", "name", "kind", "country", "region", "registration_number")
    )
    return tuple(
        Institution(
            key=row.text("key"),
            name=row.text("name"),
            kind=OrganisationKind(row.text("kind")),
            country=row.text("country"),
            region=row.text("region"),
            registration_number=row.text("registration_number"),
        )
        for row in rows
    )


@functools.cache
def demo_users() -> tuple[DemoUser, ...]:
    """The demo users; those with a sign-in role are printed by `tradecover demo`."""
    _, rows = read_rows(_data("users.csv"), ("organisation", "email", "full_name", "roles", "demo_sign_in"))
    users = tuple(
        DemoUser(
            organisation=row.text("organisation"),
            email=row.text("email"),
            full_name=row.text("full_name"),
            roles=tuple(Role(role) for role in _split(row.text("roles"))),
            sign_in_for=None if row.text("demo_sign_in") == "-" else Role(row.text("demo_sign_in")),
        )
        for row in rows
    )
    signed = [user.sign_in_for for user in users if user.sign_in_for is not None]
    if sorted(signed) != sorted(Role):
        raise ReferenceDataError("users.csv: there must be exactly one demo sign-in per role")
    return users


@dataclass(frozen=True, slots=True)
class NameBook:
    """Fragments that demo names are made of."""

    stems: dict[str, tuple[str, ...]]
    style_by_country: dict[str, str]
    trade_words: dict[str, tuple[str, ...]]
    exporter_products: dict[str, tuple[str, ...]]
    districts: tuple[str, ...]
    public_body_templates: dict[str, tuple[str, ...]]

    def style_of(self, country: str) -> str:
        """The naming style for buyers of a country (global where none is set)."""
        return self.style_by_country.get(country, "global")


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ReferenceDataError(f"names.json: {where} must be a non-empty list of strings")
    return tuple(value)


def _lists(value: object, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ReferenceDataError(f"names.json: {where} must be an object")
    return {str(key): _strings(item, f"{where}.{key}") for key, item in value.items()}


@functools.cache
def name_book() -> NameBook:
    """The name fragments of data/names.json, checked."""
    with _data("names.json").open("r", encoding="utf-8") as handle:
        raw = json.load(handle)
    public = raw["china_public_bodies"]
    styles = raw["style_by_country"]
    if not isinstance(styles, dict) or not all(isinstance(v, str) for v in styles.values()):
        raise ReferenceDataError("names.json: style_by_country must map country codes to style names")
    return NameBook(
        stems=_lists(raw["stems"], "stems"),
        style_by_country={str(k): str(v) for k, v in styles.items()},
        trade_words=_lists(raw["trade_words"], "trade_words"),
        exporter_products=_lists(raw["exporter_products"], "exporter_products"),
        districts=_strings(public["districts"], "china_public_bodies.districts"),
        public_body_templates={
            kind: _strings(public[kind], f"china_public_bodies.{kind}")
            for kind in ("local_government", "state_owned_enterprise")
        },
    )
