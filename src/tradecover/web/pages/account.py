"""The signed-in user's account: API keys (issue, see once, revoke) and password."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.errors import DomainError, NotFound, ValidationError
from tradecover.parties.passwords import verify_password
from tradecover.parties.service import issue_api_key, list_api_keys, revoke_api_key, set_password
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.security import start_signed_in_session
from tradecover.web.workspaces import API_KEYS_PATH, PASSWORD_PATH

router = APIRouter(prefix="/account")


def _keys_context(page: Page) -> dict[str, Any]:
    # The operator sees every organisation's keys through the API; this page is about its own.
    keys = [
        k for k in list_api_keys(page.session, page.actor) if k.organisation_id == page.user.organisation_id
    ]
    return {"keys": sorted(keys, key=lambda k: (k.revoked_at is not None, k.created_at)), "new_token": None}


@router.get("/api-keys", response_class=HTMLResponse)
def api_keys(page: SignedIn) -> HTMLResponse:
    """The organisation's API keys and the form to issue one."""
    return render(page.request, "api_keys.html", _keys_context(page))


@router.post("/api-keys", response_class=HTMLResponse)
def issue_key(page: SignedIn, form: PostedForm) -> HTMLResponse:
    """Issue a key and show its token this once."""
    try:
        key, token = issue_api_key(page.session, page.actor, text(form, "name"))
    except DomainError as error:
        return refused(page, "api_keys.html", lambda: _keys_context(page), field_errors(error), form)
    context = _keys_context(page)
    context.update(new_token=token, new_key=key)
    return render(page.request, "api_keys.html", context, status=201)


@router.post("/api-keys/{key_id}/revoke")
def revoke_key(page: SignedIn, key_id: uuid.UUID) -> Response:
    """Revoke a key: it stops working at once."""
    key = revoke_api_key(page.session, page.actor, key_id)
    if key.organisation_id != page.user.organisation_id:
        raise NotFound("no such API key")
    flash(page.request, f"API key “{key.name}” ({key.prefix}…) was revoked.")
    return RedirectResponse(API_KEYS_PATH, status_code=303)


@router.get("/password", response_class=HTMLResponse)
def password_form(page: SignedIn) -> HTMLResponse:
    """The form to change one's own password."""
    return render(page.request, "password.html")


@router.post("/password", response_class=HTMLResponse)
def change_password(page: SignedIn, form: PostedForm) -> Response:
    """Change one's own password after checking the current one; other browsers are signed out."""
    current, new, confirm = (
        text(form, "current_password"),
        text(form, "new_password"),
        text(form, "confirm_password"),
    )
    try:
        if not verify_password(current, page.user.password_hash)[0]:
            raise ValidationError("this is not your current password", field="current_password")
        if new != confirm:
            raise ValidationError("the two new passwords differ", field="confirm_password")
        user = set_password(page.session, page.actor, page.user.id, new)
    except DomainError as error:
        errors = field_errors(error)
        if "password" in errors:
            errors["new_password"] = errors.pop("password")
        return refused(page, "password.html", dict, errors, form)
    start_signed_in_session(page.request, user.id, user.password_hash)
    flash(page.request, "Your password was changed. Other browsers signed in as you are signed out.")
    return RedirectResponse(PASSWORD_PATH, status_code=303)
