"""The caller, organisations and users through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.api.conftest import World


def test_me_answers_the_callers_user_organisation_and_roles(client: TestClient, world: World) -> None:
    response = client.get("/me", headers=world.insurer_a.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "admin@a-insurance.example"
    assert body["organisation"]["name"] == "A Credit Insurance"
    assert body["organisation"]["kind"] == "insurer"
    assert body["roles"] == ["insurer_admin"]
    assert "password_hash" not in body["user"]


def test_the_platform_admin_lists_every_organisation(client: TestClient, world: World) -> None:
    response = client.get("/organisations", headers=world.admin.headers)
    assert response.status_code == 200
    names = {o["name"] for o in response.json()}
    assert {"A Credit Insurance", "A Exports Yiwu", "B Surety", "B Trading Shenzhen"} <= names


def test_anyone_else_lists_only_its_own_organisation(client: TestClient, world: World) -> None:
    response = client.get("/organisations", headers=world.policyholder_b.headers)
    assert response.status_code == 200
    assert [o["id"] for o in response.json()] == [str(world.policyholder_b.organisation.id)]


def test_the_platform_admin_registers_an_organisation_with_exports_as_a_decimal_string(
    client: TestClient, world: World
) -> None:
    response = client.post(
        "/organisations",
        headers=world.admin.headers,
        json={
            "name": "Shenzhen Drones Ltd",
            "kind": "policyholder",
            "country": "cn",
            "region": "Shenzhen",
            "registration_number": "91440300EXAMPLE",
            "is_sme": True,
            "prior_year_exports": {"amount": "7999999.99", "currency": "USD"},
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created["country"] == "CN"
    assert created["prior_year_exports"] == {"amount": "7999999.99", "currency": "USD"}
    fetched = client.get(f"/organisations/{created['id']}", headers=world.admin.headers)
    assert fetched.json() == created


def test_a_second_organisation_with_the_same_registration_number_is_a_conflict(
    client: TestClient, world: World
) -> None:
    body = {"name": "Twin", "kind": "bank", "country": "CN", "registration_number": "REG-1"}
    assert client.post("/organisations", headers=world.admin.headers, json=body).status_code == 201
    response = client.post("/organisations", headers=world.admin.headers, json=body)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "registration_number"


def test_exports_in_another_currency_than_usd_are_refused(client: TestClient, world: World) -> None:
    response = client.post(
        "/organisations",
        headers=world.admin.headers,
        json={
            "name": "Euro Exporter",
            "kind": "policyholder",
            "country": "DE",
            "prior_year_exports": {"amount": "100.00", "currency": "EUR"},
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "prior_year_exports"


def test_only_the_platform_admin_registers_organisations(client: TestClient, world: World) -> None:
    response = client.post(
        "/organisations", headers=world.insurer_a.headers, json={"name": "X", "kind": "bank", "country": "CN"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "this needs the role Platform admin"


def test_an_insurer_admin_adds_a_user_to_its_own_organisation(client: TestClient, world: World) -> None:
    organisation_id = world.insurer_a.organisation.id
    response = client.post(
        f"/organisations/{organisation_id}/users",
        headers=world.insurer_a.headers,
        json={"email": "Underwriter@A-Insurance.example", "full_name": "Zhang San", "roles": ["underwriter"]},
    )
    assert response.status_code == 201
    user = response.json()
    assert user["email"] == "underwriter@a-insurance.example"
    assert user["roles"] == ["underwriter"]
    assert user["organisation_id"] == str(organisation_id)
    listed = client.get(f"/organisations/{organisation_id}/users", headers=world.insurer_a.headers).json()
    assert user["id"] in {u["id"] for u in listed}
    assert client.get(f"/users/{user['id']}", headers=world.insurer_a.headers).json() == user


def test_a_policyholder_may_not_add_users(client: TestClient, world: World) -> None:
    response = client.post(
        f"/organisations/{world.policyholder_a.organisation.id}/users",
        headers=world.policyholder_a.headers,
        json={"email": "colleague@a-exports.example", "full_name": "Colleague", "roles": ["policyholder"]},
    )
    assert response.status_code == 403


def test_a_user_with_an_e_mail_already_taken_is_a_conflict(client: TestClient, world: World) -> None:
    response = client.post(
        f"/organisations/{world.policyholder_b.organisation.id}/users",
        headers=world.admin.headers,
        json={"email": "owner@a-exports.example", "full_name": "Impostor", "roles": ["policyholder"]},
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"field": "email", "message": "a user with e-mail owner@a-exports.example exists"}
    ]


def test_a_short_password_is_refused_naming_the_field(client: TestClient, world: World) -> None:
    response = client.post(
        f"/organisations/{world.policyholder_b.organisation.id}/users",
        headers=world.admin.headers,
        json={"email": "x@b.example", "full_name": "X", "roles": ["policyholder"], "password": "short"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.password"


def test_a_malformed_id_in_the_path_is_a_422_naming_the_parameter(client: TestClient, world: World) -> None:
    response = client.get("/organisations/not-a-uuid", headers=world.admin.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.organisation_id"
