"""Generated from the app's routes: another organisation's objects are not found, and no key, no entry.

Every route with an object id in its path is called by users of organisation B with the ids of
organisation A's objects and must answer 404 (not 403, which would confirm the object exists, and
not 200). A path parameter without a mapping below fails the test, so a new endpoint is covered as
soon as it exists. Every route that is not explicitly public must refuse a call without a key.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session
from tests.api.conftest import Member, World

from tradecover.alerts.service import raise_alerts
from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.claims.model import Claim, ClaimDocument
from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.clock import get_clock
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.declarations.imports import import_declarations
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.financing.facilities import assign_policy, create_facility
from tradecover.limits.appetite import add_appetite, add_capacity
from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import actor_for, create_organisation
from tradecover.policies.products import install_products
from tradecover.policies.quotes import TurnoverLine, accept_quote, submit_quote_request
from tradecover.policies.terms import CauseOfLoss, ProductKind
from tradecover.premiums.invoicing import get_policy, true_up_minimum_premium
from tradecover.riskruns.book import Scope
from tradecover.riskruns.model import ScopeKind
from tradecover.riskruns.service import RunRequest, start_risk_run
from tradecover.subsidies.programmes import ProgrammeDraft, create_programme, set_budget
from tradecover.subsidies.service import commit_subsidy

# Objects that the `seeded` fixture creates: (what, organisation id or None for shared ones) → id.
SEEDED: dict[tuple[str, uuid.UUID | None], object] = {}

# Which of organisation A's objects each path parameter names.
OBJECT_IDS: dict[str, Callable[[Member], object]] = {
    "organisation_id": lambda a: a.organisation.id,
    "user_id": lambda a: a.user.id,
    "api_key_id": lambda a: a.key.id,
    "alert_id": lambda a: SEEDED["alert", a.organisation.id],
    "buyer_id": lambda a: SEEDED["buyer", None],
    "country": lambda a: "US",
    "product_id": lambda a: SEEDED["product", None],
    "quote_request_id": lambda a: SEEDED["quote_request", None],
    "quote_id": lambda a: SEEDED["quote", None],
    "policy_id": lambda a: SEEDED["policy", None],
    "limit_id": lambda a: SEEDED["limit", None],
    "shipment_id": lambda a: SEEDED["shipment", None],
    "batch_id": lambda a: SEEDED["declaration_import", None],
    "run_id": lambda a: SEEDED["risk_run", None],
    "programme_id": lambda a: SEEDED["programme", None],
    "commitment_id": lambda a: SEEDED["subsidy_commitment", None],
    "invoice_id": lambda a: SEEDED["premium_invoice", None],
    "pool_id": lambda a: SEEDED["pool", None],
    "member_id": lambda a: SEEDED["pool_member", None],
    "overdue_id": lambda a: SEEDED["overdue", None],
    "facility_id": lambda a: SEEDED["facility", None],
    "claim_id": lambda a: SEEDED["claim", None],
    "document_id": lambda a: SEEDED["claim_document", None],
    "appetite_id": lambda a: SEEDED["appetite", None],
    "capacity_id": lambda a: SEEDED["capacity", None],
}

# The buyer registry and country grades are shared: they belong to no organisation, every organisation
# reads them, and only roles limit who changes them. So they cannot answer 404 to another organisation;
# routes whose every path parameter names such a shared object are kept out of the 404 rule and held
# to "visible to all, changed only by roles" in their own test below.
SHARED_REGISTRY_PARAMS = {"buyer_id", "country"}

# The oversight views name an audience and a table, not an object: what each audience sees of the book is
# the view's scope (tests/oversight), and who may open which view is the role check held below.
VIEW_PARAMS = {"audience", "key"}

PUBLIC = {("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect")}

_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def _operations(api: FastAPI) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for route in iter_route_contexts(api.routes):
        for method in sorted(set(route.methods or ()) - {"HEAD"}):
            assert route.path is not None
            assert route.endpoint is not None
            yield method, route.path, route.endpoint


def _example_body(method: str, path: str, endpoint: Callable[..., Any]) -> dict[str, Any] | None:
    """A valid body for the route, from its request model's documented example."""
    hints = typing.get_type_hints(endpoint, include_extras=True)
    hints.pop("return", None)
    for annotation in hints.values():
        model = (
            typing.get_args(annotation)[0]
            if typing.get_origin(annotation) is typing.Annotated
            else annotation
        )
        if isinstance(model, type) and issubclass(model, BaseModel):
            examples = model.model_json_schema().get("examples")
            assert examples, f"add an example to {model.__name__} (the body of {method} {path})"
            example: dict[str, Any] = examples[0]
            return example
    return None


def _call(client: TestClient, method: str, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> Any:
    return client.request(method, path, json=_example_body(method, path, endpoint), **kwargs)


@pytest.fixture
def seeded(db: Session, world: World) -> Iterator[None]:
    """A shared buyer, and an alert to each of organisation A's members' organisations."""
    SEEDED.clear()
    buyer = register_buyer(
        db,
        Actor.system(),
        name="Bluewater Retail Inc.",
        country="US",
        registration_number="12-3456789",
        kind=BuyerKind.COMPANY,
        sector="retail_wholesale",
        grade=4,
    )
    SEEDED["buyer", None] = buyer.id
    for member in (world.insurer_a, world.policyholder_a):
        (alert,) = raise_alerts(
            db,
            organisation_ids=[member.organisation.id],
            kind="buyer_grade_changed",
            subject_type="Buyer",
            subject_id=buyer.id,
            title="Buyer downgraded",
            message="Bluewater Retail Inc. went from grade 3 to 4.",
        )
        SEEDED["alert", member.organisation.id] = alert.id
    # Insurer A's product; policyholder A's quote request (only insurer A writes the product, so only
    # it is invited), insurer A's quote on it, and the policy issued by accepting it.
    (product,) = install_products(
        db, Actor.system(), world.insurer_a.organisation.id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER]
    )
    holder = actor_for(world.policyholder_a.user)
    request = submit_quote_request(
        db,
        holder,
        product_kind=ProductKind.EXPORT_WHOLE_TURNOVER,
        currency="USD",
        turnover=[TurnoverLine("US", Money.of("1000000", "USD"))],
        period_start=get_clock().today(),
    )
    (quote,) = request.quotes
    SEEDED["product", None], SEEDED["quote_request", None], SEEDED["quote", None] = (
        product.id,
        request.id,
        quote.id,
    )
    SEEDED["policy", None] = accept_quote(db, holder, quote.id).id
    # Policyholder A's limit on the buyer under that policy (referred: above the instant band).
    policy_id = uuid.UUID(str(SEEDED["policy", None]))
    SEEDED["limit", None] = request_limit(db, holder, policy_id, buyer.id, Money.of("800000", "USD")).id
    # Policyholder A's shipment on the buyer, and a file of declarations it imported.
    today = get_clock().today()
    SEEDED["shipment", None] = declare_shipment(
        db,
        holder,
        policy_id,
        ShipmentDeclaration(buyer.id, "A-0001", Money.of("1000.00", "USD"), today, today),
    ).id
    header = "record,buyer_country,buyer_registration_number,amount,currency,received_on\n"
    csv_file = f"{header}payment,US,12-3456789,5.00,USD,{today}\n"
    SEEDED["declaration_import", None] = import_declarations(
        db, holder, policy_id, "a.csv", csv_file.encode()
    ).id
    # A programme body's programme (reimbursement, open to every firm) and its share of an invoice of
    # policyholder A's policy: seen by the body, the firm and the insurer, by no one else.
    body = create_organisation(
        db, Actor.system(), name="Yiwu Commerce Bureau", kind=OrganisationKind.PROGRAMME_BODY, country="CN"
    )
    programme = create_programme(
        db,
        Actor.system(),
        ProgrammeDraft(
            name="Export premium support",
            currency="CNY",
            product_kinds=["export_whole_turnover"],
            tiers=[{"rate": "0.5"}],
            mode="reimbursement",
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
        ),
        sponsor_id=body.id,
    )
    set_budget(db, Actor.system(), programme.id, today.year, Money.of("100000", "CNY"))
    SEEDED["programme", None] = programme.id
    (share,) = commit_subsidy(
        db,
        invoice_id=uuid.uuid4(),
        policy_id=policy_id,
        policyholder_id=world.policyholder_a.organisation.id,
        product_kind="export_whole_turnover",
        premium=Money.of("100.00", "USD"),
        on=today,
    )
    SEEDED["subsidy_commitment", None] = share.commitment_id
    # A premium invoice of policyholder A's policy (its minimum premium, trued up at the year's end).
    policy = get_policy(db, policy_id)
    true_up = true_up_minimum_premium(db, Actor.system(), policy_id, on=policy.period_end)
    assert true_up is not None
    SEEDED["premium_invoice", None] = true_up.id
    # A pool of insurer A and another insurer (not B): seen by its members only.
    co_member = create_organisation(
        db, Actor.system(), name="C Mutual", kind=OrganisationKind.INSURER, country="CN"
    )
    SEEDED["pool", None] = create_pool(
        db,
        Actor.system(),
        name="A and C Pool",
        country="CN",
        currency="CNY",
        leader_id=world.insurer_a.organisation.id,
        leader_commission=Decimal("0.05"),
        members=[
            MemberPlan(world.insurer_a.organisation.id, Decimal("0.6")),
            MemberPlan(co_member.id, Decimal("0.4")),
        ],
    ).id
    SEEDED["pool_member", None] = world.insurer_a.organisation.id
    # Insurer A's risk run of its own book.
    insurer = actor_for(world.insurer_a.user)
    SEEDED["risk_run", None] = start_risk_run(db, insurer, RunRequest(Scope(ScopeKind.INSURER))).id
    # Policyholder A's report of its shipment's overdue (written directly: the shipment is due today).
    overdue = Overdue(
        policy_id=policy_id,
        buyer_id=buyer.id,
        shipment_id=SEEDED["shipment", None],
        invoice_number="A-0001",
        currency="USD",
        unpaid_minor=100_000,
        due_date=today,
        reported_on=today,
        reporting_deadline=today + dt.timedelta(days=30),
        reported_in_time=True,
        status=OverdueStatus.REPORTED,
    )
    db.add(overdue)
    db.flush()
    SEEDED["overdue", None] = overdue.id
    # A bank's facility for policyholder A, with the policy assigned to it: seen by the bank and the firm.
    bank = create_organisation(db, Actor.system(), name="D Bank", kind=OrganisationKind.BANK, country="CN")
    facility = create_facility(
        db,
        Actor.system(),
        bank_id=bank.id,
        policy_id=policy_id,
        limit=Money.of("500000", "USD"),
        advance_rate="0.8",
        starts_on=today,
        matures_on=today.replace(year=today.year + 1),
    )
    SEEDED["facility", None] = assign_policy(db, Actor.system(), facility.id).id
    # Policyholder A's claim on that invoice (written directly: filing waits for the date of loss).
    claim = Claim(
        number=f"CLM-{today.year}-000001",
        policy_id=policy_id,
        policyholder_id=world.policyholder_a.organisation.id,
        insurer_id=world.insurer_a.organisation.id,
        buyer_id=buyer.id,
        cause=CauseOfLoss.INSOLVENCY,
        date_of_loss=today,
        insolvency_date=today,
        currency="USD",
        policy_year_start=today,
        filed_on=today,
        filed_at=get_clock().now(),
        filed_by_organisation_id=world.policyholder_a.organisation.id,
    )
    db.add(claim)
    db.flush()
    SEEDED["claim", None] = claim.id
    # A document filed with it (stored bytes and hash).
    document = ClaimDocument(
        claim_id=claim.id,
        file_name="statement.pdf",
        content_type="application/pdf",
        size_bytes=9,
        sha256="0" * 64,
        content=b"%PDF-1.4\n",
        uploaded_at=get_clock().now(),
        uploaded_by_organisation_id=world.policyholder_a.organisation.id,
    )
    db.add(document)
    db.flush()
    SEEDED["claim_document", None] = document.id
    # Insurer A's appetite rule and capacity: kept by its admins, seen by no other organisation.
    SEEDED["appetite", None] = add_appetite(db, insurer, "sector", "construction", "refer").id
    SEEDED["capacity", None] = add_capacity(db, insurer, "total", "", Money.of("5000000", "USD")).id
    db.commit()
    yield
    SEEDED.clear()


def _is_shared_registry(path: str) -> bool:
    return set(_PARAM.findall(path)) <= SHARED_REGISTRY_PARAMS


def _is_view(path: str) -> bool:
    return set(_PARAM.findall(path)) <= VIEW_PARAMS


def _filled(path: str, victim: Member) -> str:
    def object_id(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in OBJECT_IDS, f"add a mapping for new route parameter {{{name}}} in {path} to OBJECT_IDS"
        return str(OBJECT_IDS[name](victim))

    return _PARAM.sub(object_id, path)


@pytest.mark.parametrize("victim_name", ["insurer_a", "policyholder_a"])
@pytest.mark.parametrize("intruder_name", ["insurer_b", "policyholder_b"])
@pytest.mark.usefixtures("seeded")
def test_a_user_of_another_organisation_finds_none_of_its_objects_through_any_endpoint(
    api: FastAPI, client: TestClient, world: World, intruder_name: str, victim_name: str
) -> None:
    intruder: Member = getattr(world, intruder_name)
    victim: Member = getattr(world, victim_name)
    with_ids = [
        (m, p, e)
        for m, p, e in _operations(api)
        if _PARAM.search(p) and not _is_shared_registry(p) and not _is_view(p)
    ]
    assert with_ids, "the API has routes with object ids; none were found"
    for method, path, endpoint in with_ids:
        url = _filled(path, victim)
        response = _call(client, method, url, endpoint, headers=intruder.headers)
        assert response.status_code == 404, f"{method} {path} as {intruder_name}: {response.status_code}"
        assert response.json()["errors"][0]["message"].startswith("no such ")
    # The same ids are real: the platform admin finds every one (a rule may still refuse the example body).
    for method, path, endpoint in sorted(with_ids, key=lambda op: op[0] == "DELETE"):
        response = _call(client, method, _filled(path, victim), endpoint, headers=world.admin.headers)
        assert response.status_code not in (404, 500), f"{method} {path} as admin: {response.status_code}"


@pytest.mark.usefixtures("seeded")
def test_the_shared_registries_are_read_by_every_organisation_and_changed_only_by_roles(
    api: FastAPI, client: TestClient, world: World
) -> None:
    shared = [(m, p, e) for m, p, e in _operations(api) if _PARAM.search(p) and _is_shared_registry(p)]
    assert shared, "the API has shared-registry routes (buyers, countries); none were found"
    for method, path, endpoint in shared:
        url = _filled(path, world.insurer_a)
        if method == "GET":
            for reader in (world.insurer_b, world.policyholder_b, world.policyholder_a):
                response = _call(client, method, url, endpoint, headers=reader.headers)
                assert response.status_code == 200, f"{method} {path}: {response.status_code}"
        else:
            # A policyholder may read the registry but not regrade; an insurer's admin may.
            refused = _call(client, method, url, endpoint, headers=world.policyholder_b.headers)
            assert refused.status_code == 403, f"{method} {path} as a policyholder: {refused.status_code}"
            allowed = _call(client, method, url, endpoint, headers=world.insurer_b.headers)
            assert allowed.status_code == 201, f"{method} {path} as an insurer admin: {allowed.status_code}"


def test_the_oversight_views_open_only_to_their_audiences(
    api: FastAPI, client: TestClient, world: World
) -> None:
    views = [(m, p, e) for m, p, e in _operations(api) if _PARAM.search(p) and _is_view(p)]
    assert views, "the API has oversight view routes; none were found"
    for method, path, endpoint in views:
        for audience in ("regulator", "insurer", "programme", "bank"):
            url = path.replace("{audience}", audience).replace("{key}", "coverage-by-month")
            for member in (world.policyholder_a, world.policyholder_b):
                refused = _call(client, method, url, endpoint, headers=member.headers)
                assert refused.status_code == 403, f"{method} {url} as a policyholder: {refused.status_code}"
            as_insurer = _call(client, method, url, endpoint, headers=world.insurer_b.headers)
            expected = 200 if audience == "insurer" else 403
            assert as_insurer.status_code == expected, (
                f"{method} {url} as an insurer: {as_insurer.status_code}"
            )


def test_every_route_that_is_not_public_refuses_a_call_without_a_valid_key(
    api: FastAPI, client: TestClient, world: World
) -> None:
    protected = [(m, p, e) for m, p, e in _operations(api) if (m, p) not in PUBLIC]
    assert protected, "the API has protected routes; none were found"
    for method, path, endpoint in protected:
        url = _PARAM.sub(lambda _: str(uuid.uuid4()), path)
        for headers in ({}, {"Authorization": "Bearer tc_00000000_forged"}):
            response = _call(client, method, url, endpoint, headers=headers)
            assert response.status_code == 401, f"{method} {path} with {headers}: {response.status_code}"
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["errors"][0]["message"]


def test_the_public_routes_answer_without_a_key(api: FastAPI, client: TestClient) -> None:
    routes = {(m, p) for m, p, _ in _operations(api)}
    assert routes >= PUBLIC
    for method, path in PUBLIC:
        assert client.request(method, path).status_code == 200, path
