"""Error pages in the layout: 403, 404, 422 and 500, never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from tradecover.errors import AuthenticationRequired, DomainError, NotFound, PermissionDenied
from tradecover.web.dependencies import SignInRequired
from tradecover.web.rendering import render
from tradecover.web.security import CsrfRejected

log = logging.getLogger(__name__)

TITLES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your roles do not give access to this page or action."),
    404: ("Page not found", "There is nothing here, or it belongs to an organisation you have no part in."),
    405: ("Not allowed", "This page cannot be used that way."),
    422: ("Not accepted", "The request was refused."),
    500: ("Something went wrong", "The platform could not complete the request. Nothing was saved."),
}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    """The error page for a status, in the layout."""
    title, default = TITLES.get(status, ("Error", "The request could not be completed."))
    return render(
        request, "error.html", {"status": status, "title": title, "detail": detail or default}, status=status
    )


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    query = urlencode({"next": exc.next_path}) if exc.next_path != "/" else ""
    return RedirectResponse("/sign-in" + (f"?{query}" if query else ""), status_code=303)


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    return error_page(
        request,
        403,
        "The form was sent without a valid security token. Go back, reload the page and try again.",
    )


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, NotFound):
        return error_page(request, 404)
    if isinstance(exc, PermissionDenied):
        return error_page(request, 403, f"Not allowed: {exc.message}.")
    if isinstance(exc, AuthenticationRequired):
        return RedirectResponse("/sign-in", status_code=303)
    return error_page(request, 422, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_page(request, exc.status_code)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    # Only path parameters are validated by FastAPI here (ids); a malformed id names nothing.
    return error_page(request, 404)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


def install_error_pages(web: FastAPI) -> None:
    """Register the handlers that turn refusals and failures into pages."""
    web.add_exception_handler(SignInRequired, _sign_in_required)
    web.add_exception_handler(CsrfRejected, _csrf_rejected)
    web.add_exception_handler(DomainError, _domain_error)
    web.add_exception_handler(HTTPException, _http_error)
    web.add_exception_handler(RequestValidationError, _invalid_request)
    web.add_exception_handler(Exception, _server_error)
