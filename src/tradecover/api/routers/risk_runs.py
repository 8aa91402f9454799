"""Risk runs: measure a book (an insurer's, a pool member's share, the market) and read stored results."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, status
from fastapi.responses import JSONResponse

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.risk_runs import RiskRunCreate, RiskRunDetailOut, RiskRunOut, RiskRunQuery
from tradecover.riskruns import service
from tradecover.riskruns.jobs import measure_queued_run

router = APIRouter(
    route_class=KeyFirstRoute, tags=["risk runs"], responses=error_responses(400, 401, 403, 404, 422)
)


@router.post(
    "/risk-runs",
    response_model=RiskRunDetailOut,
    status_code=status.HTTP_201_CREATED,
    summary="Run the risk engine on a book",
    responses={
        202: {"model": RiskRunDetailOut, "description": "Queued (`background`): measured after the answer"}
    },
)
def start_risk_run(
    body: RiskRunCreate, session: UnitOfWork, actor: CurrentActor, request: Request, jobs: BackgroundTasks
) -> RiskRunDetailOut | JSONResponse:
    """Expected loss, SD, VaR and ES (99%, 99.5%, 99.9%) and ES contributions; base and stress scenarios.

    With `background`, 202 at once with the run `running`; it is measured after this answer.
    """
    if body.background:
        queued = service.queue_risk_run(session, actor, body.to_request())
        # Background tasks run after the answer, so after this request's transaction has committed.
        jobs.add_task(measure_queued_run, request.app.state.sessions, queued.id)
        answer = RiskRunDetailOut.detail(queued, actor)
        return JSONResponse(answer.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    run = service.start_risk_run(session, actor, body.to_request())
    return RiskRunDetailOut.detail(run, actor)


@router.get("/risk-runs", response_model=list[RiskRunOut], summary="List risk runs")
def list_risk_runs(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[RiskRunQuery, Query()]
) -> list[RiskRunOut]:
    """The runs the caller's organisation made, newest first."""
    runs = service.list_risk_runs(session, limit=query.limit, offset=query.offset)
    return [RiskRunOut.of(run) for run in runs]


@router.get("/risk-runs/{run_id}", response_model=RiskRunDetailOut, summary="One risk run")
def get_risk_run(run_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> RiskRunDetailOut:
    """A run with its measures and contributions (the regulator never sees policyholders)."""
    return RiskRunDetailOut.detail(service.get_risk_run(session, run_id), actor)
