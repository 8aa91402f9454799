"""Health, the one error format, and one request = one transaction committed before the answer."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.api.conftest import World

from tradecover import __version__
from tradecover.api.app import create_api
from tradecover.api.deps import CurrentActor, UnitOfWork
from tradecover.audit.model import AuditEvent
from tradecover.errors import BusinessRuleViolation
from tradecover.parties.model import Organisation, User
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import create_organisation


def test_health_reports_the_version_and_a_reachable_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__, "database": "ok"}


def test_the_openapi_schema_and_the_docs_page_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "tradecover API"
    assert "ErrorResponse" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_an_unknown_route_is_a_404_in_the_one_error_format(client: TestClient) -> None:
    response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": None, "message": "no such endpoint"}]}


def test_a_wrong_method_is_a_405_in_the_one_error_format(client: TestClient, world: World) -> None:
    response = client.put("/organisations", headers=world.admin.headers)
    assert response.status_code == 405
    assert response.json() == {"errors": [{"field": None, "message": "method not allowed on this endpoint"}]}
    assert "GET" in response.headers["allow"]


def test_a_malformed_body_names_each_field_and_why(client: TestClient, world: World) -> None:
    response = client.post(
        "/organisations", headers=world.admin.headers, json={"kind": "pirate", "country": "CN"}
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors.keys() == {"body.name", "body.kind"}
    assert errors["body.name"] == "Field required"
    assert "insurer" in errors["body.kind"]


def test_a_rule_the_service_enforces_is_a_422_naming_the_field(client: TestClient, world: World) -> None:
    response = client.post(
        "/organisations", headers=world.admin.headers, json={"name": "X", "kind": "bank", "country": "ZZ"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": "country", "message": "'ZZ' is not an ISO 3166-1 alpha-2 country code"}]
    }


def test_an_unexpected_error_is_a_500_without_a_stack_trace(api: FastAPI, client: TestClient) -> None:
    def explode() -> None:
        raise RuntimeError("secret detail from deep inside")

    api.add_api_route("/explode", explode)
    response = client.get("/explode")
    assert response.status_code == 500
    assert response.json() == {"errors": [{"field": None, "message": "internal error"}]}
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text


def test_creating_a_user_with_a_role_the_organisation_cannot_hold_creates_nothing(
    client: TestClient, world: World, fresh: Session
) -> None:
    users_before = fresh.scalar(select(func.count()).select_from(User))
    audit_before = fresh.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post(
        f"/organisations/{world.policyholder_a.organisation.id}/users",
        headers=world.admin.headers,
        json={"email": "new@a-exports.example", "full_name": "New Person", "roles": ["underwriter"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "roles"
    assert fresh.scalar(select(func.count()).select_from(User)) == users_before
    assert fresh.scalar(select(func.count()).select_from(AuditEvent)) == audit_before


def test_a_request_that_fails_after_writing_leaves_no_partial_state(
    api: FastAPI, client: TestClient, world: World, fresh: Session
) -> None:
    def write_then_refuse(session: UnitOfWork, actor: CurrentActor) -> None:
        create_organisation(session, actor, name="Half-made Ltd", kind=OrganisationKind.BANK, country="CN")
        session.flush()
        raise BusinessRuleViolation("refused after the write", field="name")

    api.add_api_route("/write-then-refuse", write_then_refuse, methods=["POST"])
    response = client.post("/write-then-refuse", headers=world.admin.headers)
    assert response.status_code == 422
    assert fresh.scalar(select(Organisation).where(Organisation.name == "Half-made Ltd")) is None


def test_a_request_whose_commit_fails_is_answered_with_an_error_not_a_success(
    api: FastAPI, client: TestClient, world: World, fresh: Session
) -> None:
    def write_with_failing_commit(session: UnitOfWork, actor: CurrentActor) -> dict[str, str]:
        create_organisation(session, actor, name="Never Committed", kind=OrganisationKind.BANK, country="CN")

        def refuse(_session: Session) -> None:
            raise BusinessRuleViolation("the commit was refused")

        event.listen(session, "before_commit", refuse)
        return {"status": "written"}

    api.add_api_route("/failing-commit", write_with_failing_commit, methods=["POST"])
    response = client.post("/failing-commit", headers=world.admin.headers)
    assert response.status_code == 422
    assert response.json() == {"errors": [{"field": None, "message": "the commit was refused"}]}
    assert fresh.scalar(select(Organisation).where(Organisation.name == "Never Committed")) is None


def test_a_successful_request_is_committed(client: TestClient, world: World, fresh: Session) -> None:
    response = client.post(
        "/organisations",
        headers=world.admin.headers,
        json={"name": "Kept Bank", "kind": "bank", "country": "CN"},
    )
    assert response.status_code == 201
    assert fresh.scalar(select(Organisation.name).where(Organisation.name == "Kept Bank")) == "Kept Bank"


def test_mounted_under_api_v1_the_schema_docs_and_errors_keep_their_paths(
    sessions: sessionmaker[Session], world: World
) -> None:
    site = FastAPI()
    site.mount("/api/v1", create_api(sessions))
    with TestClient(site) as client:
        assert client.get("/api/v1/openapi.json").json()["servers"] == [{"url": "/api/v1"}]
        assert "/api/v1/openapi.json" in client.get("/api/v1/docs").text
        assert client.get("/api/v1/me", headers=world.admin.headers).status_code == 200
        wrong_method = client.put("/api/v1/organisations", headers=world.admin.headers)
        assert wrong_method.status_code == 405
        assert wrong_method.headers["allow"] == "GET, POST"
        assert client.get("/api/v1/nothing").json() == {
            "errors": [{"field": None, "message": "no such endpoint"}]
        }


def test_an_unknown_query_parameter_is_refused_with_its_name(client: TestClient, world: World) -> None:
    response = client.get("/quote-requests?statu=open", headers=world.policyholder_a.headers)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "query.statu"
    assert "status" in error["message"]
    assert client.get("/quote-requests?status=open", headers=world.policyholder_a.headers).status_code == 200
    assert client.get("/buyers?country=US&page=1", headers=world.policyholder_a.headers).status_code == 200
    assert client.get("/me?x=1", headers=world.policyholder_a.headers).status_code == 422
