"""Use cases for alerts: raise one per addressee, list an organisation's alerts, mark them read."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from tradecover.alerts.model import Alert
from tradecover.clock import utcnow
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.parties.actor import Actor

MAX_ALERTS_LISTED = 500
_TEXT_LIMITS = {"kind": 64, "subject_type": 64, "subject_id": 64, "title": 200, "message": 2000}


def _checked_text(value: str, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError("must not be empty", field=field)
    if len(text) > _TEXT_LIMITS[field]:
        raise ValidationError(f"must have at most {_TEXT_LIMITS[field]} characters", field=field)
    return text


def _shortened(value: str, field: str) -> str:
    # Titles and messages are written by the platform from names of any length; a long buyer name
    # must not stop an alert, so the text is cut with an ellipsis rather than refused.
    limit = _TEXT_LIMITS[field]
    text = value.strip() if isinstance(value, str) else ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def raise_alerts(
    session: Session,
    *,
    organisation_ids: Iterable[uuid.UUID],
    kind: str,
    subject_type: str,
    subject_id: object,
    title: str,
    message: str,
) -> list[Alert]:
    """One alert to each organisation named (each once, however often it is named), about one subject."""
    values = {
        "kind": _checked_text(kind, "kind"),
        "subject_type": _checked_text(subject_type, "subject_type"),
        "subject_id": _checked_text(str(subject_id), "subject_id"),
        "title": _checked_text(_shortened(title, "title"), "title"),
        "message": _checked_text(_shortened(message, "message"), "message"),
    }
    # dict.fromkeys keeps the callers' order while dropping repeats.
    addressees = list(dict.fromkeys(organisation_ids))
    alerts = [Alert(organisation_id=organisation_id, **values) for organisation_id in addressees]
    session.add_all(alerts)
    session.flush()
    return alerts


def _addressed_to(actor: Actor) -> ColumnElement[bool]:
    # Tenancy already hides other organisations' alerts; the platform operator sees every row, yet its
    # inbox should hold only what is addressed to it. The system actor (no organisation) sees them all.
    if actor.organisation_id is None:
        return true()
    return Alert.organisation_id == actor.organisation_id


def list_alerts(
    session: Session, actor: Actor, *, unread_only: bool = False, limit: int = 100
) -> Sequence[Alert]:
    """The alerts addressed to the actor's organisation, newest first; optionally only unread ones."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ALERTS_LISTED:
        raise ValidationError(f"must be a whole number from 1 to {MAX_ALERTS_LISTED}", field="limit")
    query = select(Alert).where(_addressed_to(actor))
    if unread_only:
        query = query.where(Alert.read_at.is_(None))
    return session.scalars(query.order_by(Alert.created_at.desc(), Alert.id).limit(limit)).all()


def unread_count(session: Session, actor: Actor) -> int:
    """How many alerts addressed to the actor's organisation nobody there has read yet."""
    query = select(func.count()).select_from(Alert).where(_addressed_to(actor), Alert.read_at.is_(None))
    return session.scalar(query) or 0


def get_alert(session: Session, alert_id: uuid.UUID) -> Alert:
    """One alert the session's organisation may see (its own); NotFound for anyone else's."""
    # A query, not session.get: the identity map would skip the tenant criteria.
    alert = session.scalars(select(Alert).where(Alert.id == alert_id)).first()
    if alert is None:
        raise NotFound(f"no such alert: {alert_id}", field="alert_id")
    return alert


def mark_read(session: Session, actor: Actor, alert_id: uuid.UUID) -> Alert:
    """Mark an alert read by the actor; reading it again keeps who read it first, and when."""
    alert = get_alert(session, alert_id)
    if actor.organisation_id is not None and alert.organisation_id != actor.organisation_id:
        # Only the platform operator sees other organisations' alerts; it must not read their mail.
        raise PermissionDenied("only the organisation an alert is addressed to may mark it read")
    if alert.read_at is None:
        alert.read_at = utcnow()
        alert.read_by_user_id = actor.user_id
        session.flush()
    return alert


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread alert of the actor's organisation read; returns how many were marked."""
    unread = session.scalars(select(Alert).where(_addressed_to(actor), Alert.read_at.is_(None))).all()
    now = utcnow()
    for alert in unread:
        alert.read_at = now
        alert.read_by_user_id = actor.user_id
    session.flush()
    return len(unread)
