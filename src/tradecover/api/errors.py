"""The one place where failures become HTTP answers, all in one body: `{"errors": [{field, message}]}`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException

from tradecover.api.schemas.common import ErrorDetail, ErrorResponse
from tradecover.errors import (
    AuthenticationRequired,
    BusinessRuleViolation,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    ValidationError: 422,
    BusinessRuleViolation: 422,
    NotFound: 404,
    Conflict: 409,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
}

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The body could not be parsed (not JSON, or a content type the endpoint does not take).",
    401: "No valid API key was presented.",
    403: "The caller's roles do not allow this.",
    404: "No such object, or it belongs to an organisation the caller has no part in.",
    409: "The object already exists or was changed concurrently.",
    422: "The request is malformed or the insurance rules refuse it; each error names the field.",
    503: "The database cannot be reached.",
}

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these statuses, all with the ErrorResponse body."""
    return {
        status: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[status]} for status in statuses
    }


def status_for(error: DomainError) -> int:
    """The HTTP status of a domain error (its nearest mapped class)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def error_body(details: Iterable[tuple[str | None, str]]) -> dict[str, Any]:
    """The JSON body for a list of (field, message)."""
    return ErrorResponse(errors=[ErrorDetail(field=f, message=m) for f, m in details]).model_dump()


def error_response(status: int, details: Sequence[tuple[str | None, str]], **kwargs: Any) -> JSONResponse:
    """An error answer in the one format."""
    return JSONResponse(error_body(details), status_code=status, **kwargs)


def _dotted(location: Sequence[Any]) -> str | None:
    return ".".join(str(part) for part in location) or None


def _readable(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    # Pydantic prefixes errors raised in validators; the words after it are what the user needs.
    return message.removeprefix("Value error, ")


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    headers = BEARER_CHALLENGE if status == 401 else None
    return error_response(status, [(exc.field, exc.message)], headers=headers)


async def _request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [(_dotted(error.get("loc", ())), _readable(error)) for error in exc.errors()]
    return error_response(422, details or [(None, "the request is invalid")])


_HTTP_MESSAGES = {404: "no such endpoint", 405: "method not allowed on this endpoint"}


def _allowed_methods(request: Request) -> str:
    # The router names only the first route that matched the path; a path served by several
    # routes (GET and POST on /organisations) must list all of their methods.
    path, root = request.scope["path"], request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path) and route.methods:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = (
        _HTTP_MESSAGES.get(exc.status_code) if exc.detail in ("Not Found", "Method Not Allowed") else None
    )
    message = message or str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return error_response(exc.status_code, [(None, message)], headers=headers or None)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, [(None, "internal error")])


def install_error_handlers(app: FastAPI) -> None:
    """Map every failure to the one error format; no stack trace reaches a client."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
