"""Liveness and database reachability, without authentication."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from tradecover import __version__
from tradecover.api.deps import KeyFirstRoute, session_maker
from tradecover.db.turns import request_turn

router = APIRouter(route_class=KeyFirstRoute, tags=["health"])


class Health(BaseModel):
    """Whether the service and its database answer."""

    status: Literal["ok", "unavailable"]
    version: str
    database: Literal["ok", "unavailable"]


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database cannot be reached."}},
    summary="Service health",
)
async def health(request: Request) -> Health | JSONResponse:
    """Answer ok when the database takes a trivial query; 503 otherwise."""
    sessions = session_maker(request)
    async with request_turn(sessions):  # as every request's unit of work does (see db/turns.py)
        reachable = await run_in_threadpool(_database_answers, sessions)
    if not reachable:
        down = Health(status="unavailable", version=__version__, database="unavailable")
        return JSONResponse(down.model_dump(), status_code=503)
    return Health(status="ok", version=__version__, database="ok")


def _database_answers(sessions: sessionmaker[Session]) -> bool:
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
