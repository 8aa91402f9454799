"""Signing in and out with e-mail and password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.errors import AuthenticationRequired
from tradecover.parties.service import authenticate
from tradecover.web.dependencies import PostedForm, Work, text
from tradecover.web.rendering import flash, render
from tradecover.web.security import safe_next, start_signed_in_session

router = APIRouter()

WRONG_CREDENTIALS = "The e-mail address or password is not right. Check both and try again."


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return render(request, "sign_in.html", {"next": safe_next(next), "values": {}})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, session: Work, form: PostedForm) -> Response:
    """Check e-mail and password; on success start a fresh session and go where the user was going."""
    email, target = text(form, "email"), safe_next(text(form, "next"))
    try:
        user = authenticate(session, email, text(form, "password"))
    except AuthenticationRequired:
        context = {"next": target, "values": {"email": email}, "sign_in_error": WRONG_CREDENTIALS}
        return render(request, "sign_in.html", context, status=401)
    start_signed_in_session(request, user.id, user.password_hash)
    return RedirectResponse(target, status_code=303)


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    """Forget the signed-in user."""
    request.session.clear()
    flash(request, "You have signed out.", kind="info")
    return RedirectResponse("/sign-in", status_code=303)
