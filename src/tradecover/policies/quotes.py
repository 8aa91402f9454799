"""The quote marketplace: one request, an answer from every insurer that writes the product, accept one.

On submission every active product of the requested kind answers at once with a quote priced by its
insurer's own rate table and terms, or with a refusal that says why (country appetite, buyer grade,
credit period). An insurer whose product sends quotes automatically sends it at once; otherwise the
quote waits as a draft that an underwriter adjusts and sends (or refuses). The policyholder sees the
sent quotes side by side and accepts one, which issues the policy; the others close as not taken.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.buyers.grades import buyer_grade, country_grade
from tradecover.buyers.model import Buyer
from tradecover.clock import get_clock, utcnow
from tradecover.coinsurance.service import administers
from tradecover.errors import BusinessRuleViolation, DomainError, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import Role
from tradecover.policies.model import (
    Policy,
    Product,
    Quote,
    QuoteRequest,
    QuoteRequestStatus,
    QuoteStatus,
)
from tradecover.policies.products import rate_grid, rate_table_for
from tradecover.policies.rules import BookLine, BookPrice, check_adjustment, price_book, refusal_reason
from tradecover.policies.service import INSURER_STAFF, check_period, issue_policy, one_year_from
from tradecover.policies.terms import PolicyTerms, ProductKind, terms_in_currency
from tradecover.reference.countries import get_country
from tradecover.reference.currencies import get_currency
from tradecover.reference.fx import fx_rate

# A book with no named buyers is rated as buyers of this grade: the middle of the coverable range.
ASSUMED_BUYER_GRADE = 5
MAX_TURNOVER_LINES = 100
MAX_NAMED_BUYERS = 50
MAX_NOTE_LENGTH = 500


@dataclass(frozen=True, slots=True)
class TurnoverLine:
    """Expected annual turnover on buyers of one country."""

    country: str
    amount: Money


def _audit(session: Session, actor: Actor, action: str, obj: Quote | QuoteRequest, **details: object) -> None:
    subject = obj.insurer_id if isinstance(obj, Quote) else obj.policyholder_id
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        subject_organisation_id=subject,
        details=dict(details),
    )


# checks ------------------------------------------------------------------------------------------
def _checked_lines(
    lines: Sequence[TurnoverLine], currency: str, home: str, kind: ProductKind
) -> list[TurnoverLine]:
    if not lines:
        raise ValidationError("give the expected turnover of at least one buyer country", field="turnover")
    if len(lines) > MAX_TURNOVER_LINES:
        raise ValidationError(f"at most {MAX_TURNOVER_LINES} countries", field="turnover")
    checked: list[TurnoverLine] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        name = f"turnover.{index}"
        try:
            code = get_country(line.country.strip().upper()).code
        except DomainError as error:
            raise ValidationError(error.message, field=f"{name}.country") from None
        if code in seen:
            raise ValidationError(f"{code} is given twice", field=f"{name}.country")
        seen.add(code)
        if line.amount.currency != currency:
            raise ValidationError(f"must be in the request currency {currency}", field=f"{name}.amount")
        if not line.amount.is_positive:
            raise ValidationError("must be more than zero", field=f"{name}.amount")
        if kind is ProductKind.EXPORT_WHOLE_TURNOVER and code == home:
            raise ValidationError(
                f"export cover is for buyers outside {home}; ask for domestic cover", field=f"{name}.country"
            )
        if kind is ProductKind.DOMESTIC_WHOLE_TURNOVER and code != home:
            raise ValidationError(f"domestic cover is for buyers in {home}", field=f"{name}.country")
        checked.append(TurnoverLine(code, line.amount))
    return checked


def _checked_buyers(session: Session, buyer_ids: Sequence[uuid.UUID], kind: ProductKind) -> list[Buyer]:
    if len(buyer_ids) > MAX_NAMED_BUYERS:
        raise ValidationError(f"at most {MAX_NAMED_BUYERS} named buyers", field="named_buyer_ids")
    if len(set(buyer_ids)) != len(buyer_ids):
        raise ValidationError("a buyer is named twice", field="named_buyer_ids")
    buyers = {b.id: b for b in session.scalars(select(Buyer).where(Buyer.id.in_(buyer_ids)))}
    for index, buyer_id in enumerate(buyer_ids):
        if buyer_id not in buyers:
            raise ValidationError("no such buyer in the registry", field=f"named_buyer_ids.{index}")
    if kind is ProductKind.SINGLE_BUYER and len(buyer_ids) != 1:
        raise ValidationError("a single-buyer policy names exactly one buyer", field="named_buyer_ids")
    return [buyers[b] for b in buyer_ids]


# pricing -----------------------------------------------------------------------------------------
def _book_lines(session: Session, request: QuoteRequest, on: dt.date) -> list[BookLine]:
    worst: dict[str, int] = {}
    for raw in request.named_buyer_ids:
        buyer = session.scalar(select(Buyer).where(Buyer.id == uuid.UUID(raw)))
        if buyer is not None:
            grade = buyer_grade(session, buyer.id, on=on)
            worst[buyer.country] = max(grade, worst.get(buyer.country, 0))
    return [
        BookLine(
            country=line["country"],
            country_grade=country_grade(session, line["country"], on=on),
            buyer_grade=worst.get(line["country"], ASSUMED_BUYER_GRADE),
            credit_days=request.typical_credit_days,
            turnover=Money.of(line["amount"], request.currency),
        )
        for line in request.turnover_lines
    ]


def _breakdown(price: BookPrice) -> list[dict[str, object]]:
    return [
        {
            "country": lp.line.country,
            "country_grade": lp.line.country_grade,
            "buyer_grade": lp.line.buyer_grade,
            "credit_days": lp.line.credit_days,
            "turnover": format(lp.line.turnover.amount, "f"),
            "rate": format(lp.rate, "f"),
            "effective_rate": format(lp.effective_rate, "f"),
            "premium": format(lp.premium.amount, "f"),
        }
        for lp in price.lines
    ]


def _offered_terms(product: Product, request: QuoteRequest) -> PolicyTerms:
    terms = product.terms
    if terms.currency == request.currency:
        return terms
    rate = fx_rate(terms.currency, request.currency, request.submitted_on)
    return terms_in_currency(terms, request.currency, rate)


def _refuse(quote: Quote, reason: str) -> None:
    quote.status = QuoteStatus.REFUSED
    quote.refusal_reason = reason[:MAX_NOTE_LENGTH]
    quote.terms_json = None
    quote.average_rate = None
    quote.premium_minor = None
    quote.estimated_premium_minor = None
    quote.breakdown = []


def _price(
    session: Session, quote: Quote, product: Product, request: QuoteRequest, terms: PolicyTerms
) -> None:
    """Price the quote with its insurer's table, or turn it into a reasoned refusal."""
    insurer_name = session.scalar(
        select(Organisation.name)
        .where(Organisation.id == product.insurer_id)
        .execution_options(tenant_exempt=True)
    )
    lines = _book_lines(session, request, request.submitted_on)
    reason = refusal_reason(
        insurer_name=insurer_name or "the insurer",
        max_country_grade=terms.max_country_grade,
        refused_countries=terms.refused_countries,
        lines=lines,
        max_buyer_grade=terms.max_buyer_grade,
    )
    if reason is None and request.typical_credit_days > terms.max_credit_period_with_consent_days:
        reason = (
            f"a credit period of {request.typical_credit_days} days exceeds the maximum of "
            f"{terms.max_credit_period_with_consent_days} days"
        )
    if reason is not None:
        _refuse(quote, reason)
        return
    table = rate_table_for(session, product)
    try:
        price = price_book(
            rate_grid(table),
            lines,
            minimum_premium=terms.minimum_premium,
            discount=Rate(table.preferential_discount),
            adjustment=quote.rate_adjustment,
        )
    except BusinessRuleViolation as error:
        _refuse(quote, error.message)
        return
    quote.rate_table_id = table.id
    quote.preferential_discount = table.preferential_discount
    quote.terms_json = terms.to_json()
    quote.average_rate = price.average_rate
    quote.premium_minor = price.premium.minor_units
    quote.estimated_premium_minor = price.estimated_premium.minor_units
    quote.breakdown = _breakdown(price)
    quote.refusal_reason = None


def _send(quote: Quote, today: dt.date) -> None:
    terms = quote.terms
    assert terms is not None  # a priced quote has terms
    quote.status = QuoteStatus.SENT
    quote.sent_at = utcnow()
    quote.valid_until = today + dt.timedelta(days=terms.quote_validity_days)


# the request -------------------------------------------------------------------------------------
def submit_quote_request(
    session: Session,
    actor: Actor,
    *,
    product_kind: ProductKind,
    currency: str,
    turnover: Sequence[TurnoverLine],
    period_start: dt.date,
    period_end: dt.date | None = None,
    typical_credit_days: int = 90,
    named_buyer_ids: Sequence[uuid.UUID] = (),
) -> QuoteRequest:
    """Ask every insurer that writes the product; each answers at once (quote, draft or refusal)."""
    actor.require(Role.POLICYHOLDER)
    if actor.organisation_id is None:
        raise PermissionDenied("a quote request is made for a policyholder organisation")
    policyholder = session.scalar(select(Organisation).where(Organisation.id == actor.organisation_id))
    if policyholder is None:
        raise NotFound("no such organisation")
    try:
        currency = get_currency(currency.strip().upper()).code
    except DomainError as error:
        raise ValidationError(error.message, field="currency") from None
    today = get_clock().today()
    if period_start < today:
        raise ValidationError("must not be in the past", field="period_start")
    end = period_end or one_year_from(period_start)
    check_period(period_start, end)
    if isinstance(typical_credit_days, bool) or not 1 <= typical_credit_days <= 720:
        raise ValidationError("must be from 1 to 720 days", field="typical_credit_days")
    lines = _checked_lines(turnover, currency, policyholder.country, product_kind)
    buyers = _checked_buyers(session, list(named_buyer_ids), product_kind)
    countries = {line.country for line in lines}
    for index, buyer in enumerate(buyers):
        if buyer.country not in countries:
            raise ValidationError(
                f"{buyer.name} is in {buyer.country}; add expected turnover for {buyer.country}",
                field=f"named_buyer_ids.{index}",
            )
    products = session.scalars(
        select(Product)
        .where(Product.kind == product_kind, Product.is_active.is_(True))
        .order_by(Product.created_at, Product.id)
        .execution_options(tenant_exempt=True)
    ).all()
    if not products:
        raise BusinessRuleViolation(
            f"no insurer on the platform writes {product_kind.value} cover", field="product_kind"
        )
    request = QuoteRequest(
        policyholder_id=policyholder.id,
        requested_by_user_id=actor.user_id,
        product_kind=product_kind,
        currency=currency,
        period_start=period_start,
        period_end=end,
        typical_credit_days=typical_credit_days,
        turnover_lines=[{"country": ln.country, "amount": format(ln.amount.amount, "f")} for ln in lines],
        named_buyer_ids=[str(b.id) for b in buyers],
        status=QuoteRequestStatus.OPEN,
        submitted_on=today,
    )
    session.add(request)
    session.flush()
    _audit(session, actor, "quote_request.submitted", request, product_kind=product_kind.value)
    for product in products:
        quote = Quote(
            request_id=request.id,
            insurer_id=product.insurer_id,
            policyholder_id=policyholder.id,
            product_id=product.id,
            status=QuoteStatus.DRAFT,
            version=1,
            currency=currency,
            rate_adjustment=Decimal(0),
            preferential_discount=Decimal(0),
        )
        _price(session, quote, product, request, _offered_terms(product, request))
        if quote.status is QuoteStatus.DRAFT and product.sends_quotes_automatically:
            _send(quote, today)
        session.add(quote)
        session.flush()
        _audit(session, actor, f"quote.{quote.status.value}", quote)
    return request


def list_quote_requests(
    session: Session, actor: Actor, *, status: QuoteRequestStatus | None = None
) -> Sequence[QuoteRequest]:
    """The requests the actor's organisation made or was invited to answer, newest first."""
    query = select(QuoteRequest)
    if status is not None:
        query = query.where(QuoteRequest.status == status)
    return session.scalars(query.order_by(QuoteRequest.created_at.desc(), QuoteRequest.id)).all()


def get_quote_request(session: Session, actor: Actor, request_id: uuid.UUID) -> QuoteRequest:
    """One request the actor's organisation made or was invited to answer; NotFound otherwise."""
    request = session.scalar(select(QuoteRequest).where(QuoteRequest.id == request_id))
    if request is None:
        raise NotFound("no such quote request")
    return request


def withdraw_quote_request(session: Session, actor: Actor, request_id: uuid.UUID) -> QuoteRequest:
    """The policyholder withdraws an open request: every quote still open closes as not taken."""
    request = get_quote_request(session, actor, request_id)
    if not actor.is_platform_admin:
        actor.require(Role.POLICYHOLDER)
        if actor.organisation_id != request.policyholder_id:
            raise PermissionDenied("only the requesting policyholder withdraws its request")
    if request.status is not QuoteRequestStatus.OPEN:
        raise BusinessRuleViolation(f"the request is {request.status.value}", field="status")
    request.status = QuoteRequestStatus.WITHDRAWN
    now = utcnow()
    quotes = session.scalars(
        select(Quote).where(Quote.request_id == request.id).execution_options(tenant_exempt=True)
    ).all()
    for quote in quotes:
        if quote.status in (QuoteStatus.SENT, QuoteStatus.DRAFT):
            quote.status = QuoteStatus.NOT_TAKEN
            quote.decided_at = now
    session.flush()
    _audit(session, actor, "quote_request.withdrawn", request)
    return request


# quotes ------------------------------------------------------------------------------------------
def _hides_drafts(actor: Actor, quote: Quote) -> bool:
    return not actor.is_platform_admin and actor.organisation_id == quote.policyholder_id


def list_quotes(session: Session, actor: Actor, request_id: uuid.UUID) -> list[Quote]:
    """The answers to a request the actor may see: an insurer its own, the policyholder all but drafts."""
    request = get_quote_request(session, actor, request_id)
    quotes = session.scalars(
        select(Quote).where(Quote.request_id == request.id).order_by(Quote.created_at, Quote.id)
    ).all()
    return [q for q in quotes if not (q.status is QuoteStatus.DRAFT and _hides_drafts(actor, q))]


def pending_quote_count(session: Session, request: QuoteRequest) -> int:
    """How many invited insurers are still preparing their quote (drafts), without showing them."""
    quotes = session.scalars(
        select(Quote.id)
        .where(Quote.request_id == request.id, Quote.status == QuoteStatus.DRAFT)
        .execution_options(tenant_exempt=True)
    ).all()
    return len(quotes)


def get_quote(session: Session, actor: Actor, quote_id: uuid.UUID) -> Quote:
    """One quote the actor may see (a draft only by its insurer); NotFound otherwise."""
    quote = session.scalar(select(Quote).where(Quote.id == quote_id))
    if quote is None or (quote.status is QuoteStatus.DRAFT and _hides_drafts(actor, quote)):
        raise NotFound("no such quote")
    return quote


def _quote_for_underwriter(session: Session, actor: Actor, quote_id: uuid.UUID) -> Quote:
    quote = get_quote(session, actor, quote_id)
    if not actor.is_platform_admin:
        actor.require(*INSURER_STAFF)
        if not administers(session, actor.organisation_id, quote.insurer_id):
            raise PermissionDenied(
                "only the quoting insurer's (or its pool's leader's) underwriters change its quote"
            )
    if quote.status is not QuoteStatus.DRAFT:
        raise BusinessRuleViolation(
            f"the quote is {quote.status.value}; only a draft changes", field="status"
        )
    if quote.request.status is not QuoteRequestStatus.OPEN:
        raise BusinessRuleViolation("the request is closed", field="status")
    return quote


def _note(text: str | None) -> str | None:
    if text is None:
        return None
    note = " ".join(text.split())
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(f"must have at most {MAX_NOTE_LENGTH} characters", field="note")
    return note or None


def adjust_quote(
    session: Session,
    actor: Actor,
    quote_id: uuid.UUID,
    *,
    rate_adjustment: Decimal | None = None,
    terms: PolicyTerms | None = None,
    note: str | None = None,
) -> Quote:
    """An underwriter changes a draft: a rate loading or discount (−/+ fraction) and/or the offered terms."""
    quote = _quote_for_underwriter(session, actor, quote_id)
    product = session.scalar(select(Product).where(Product.id == quote.product_id))
    if product is None:
        raise NotFound("no such product")
    offered = terms or quote.terms or _offered_terms(product, quote.request)
    if offered.kind is not quote.request.product_kind:
        raise ValidationError(f"the request is for {quote.request.product_kind.value}", field="kind")
    if offered.currency != quote.currency:
        raise ValidationError(f"the request currency is {quote.currency}", field="currency")
    if rate_adjustment is not None:
        quote.rate_adjustment = check_adjustment(rate_adjustment)
    quote.underwriter_note = _note(note) if note is not None else quote.underwriter_note
    _price(session, quote, product, quote.request, offered)
    if quote.status is QuoteStatus.REFUSED:
        quote.status = QuoteStatus.DRAFT  # the underwriter decides whether to refuse; keep it a draft
        raise BusinessRuleViolation(
            quote.refusal_reason or "the adjusted quote cannot be priced", field="terms"
        )
    quote.version += 1
    quote.adjusted_by_user_id = actor.user_id
    session.flush()
    _audit(
        session,
        actor,
        "quote.adjusted",
        quote,
        version=quote.version,
        rate_adjustment=format(quote.rate_adjustment, "f"),
    )
    return quote


def send_quote(session: Session, actor: Actor, quote_id: uuid.UUID) -> Quote:
    """An underwriter sends a draft to the policyholder."""
    quote = _quote_for_underwriter(session, actor, quote_id)
    if quote.terms_json is None:
        raise BusinessRuleViolation("the draft has no priced terms", field="terms")
    _send(quote, get_clock().today())
    session.flush()
    _audit(session, actor, "quote.sent", quote, version=quote.version)
    return quote


def refuse_quote(session: Session, actor: Actor, quote_id: uuid.UUID, *, reason: str) -> Quote:
    """An underwriter declines to quote, saying why."""
    quote = _quote_for_underwriter(session, actor, quote_id)
    text = _note(reason)
    if not text:
        raise ValidationError("say why", field="reason")
    _refuse(quote, text)
    quote.decided_at = utcnow()
    session.flush()
    _audit(session, actor, "quote.refused", quote)
    return quote


def accept_quote(session: Session, actor: Actor, quote_id: uuid.UUID) -> Policy:
    """The policyholder accepts a sent quote: the policy is issued and the other quotes close, not taken."""
    quote = get_quote(session, actor, quote_id)
    if not actor.is_platform_admin:
        actor.require(Role.POLICYHOLDER)
        if actor.organisation_id != quote.policyholder_id:
            raise PermissionDenied("only the requesting policyholder accepts a quote")
    request = quote.request
    if request.status is not QuoteRequestStatus.OPEN:
        raise BusinessRuleViolation(f"the request is {request.status.value}", field="status")
    if quote.status is not QuoteStatus.SENT:
        raise BusinessRuleViolation(
            f"the quote is {quote.status.value}; only a sent quote is accepted", field="status"
        )
    today = get_clock().today()
    if quote.valid_until is not None and today > quote.valid_until:
        raise BusinessRuleViolation(f"the quote was valid until {quote.valid_until}", field="valid_until")
    terms = quote.terms
    assert terms is not None  # a sent quote has terms
    product = session.scalar(
        select(Product).where(Product.id == quote.product_id).execution_options(tenant_exempt=True)
    )
    assert product is not None  # a foreign key
    now = utcnow()
    quote.status = QuoteStatus.ACCEPTED
    quote.decided_at = now
    request.status = QuoteRequestStatus.ACCEPTED
    others = session.scalars(
        select(Quote)
        .where(Quote.request_id == request.id, Quote.id != quote.id)
        .execution_options(tenant_exempt=True)
    ).all()
    for other in others:
        if other.status in (QuoteStatus.SENT, QuoteStatus.DRAFT):
            other.status = QuoteStatus.NOT_TAKEN
            other.decided_at = now
    session.flush()
    _audit(session, actor, "quote.accepted", quote)
    named = [uuid.UUID(b) for b in request.named_buyer_ids]
    return issue_policy(
        session,
        actor,
        product=product,
        policyholder_id=quote.policyholder_id,
        terms=terms,
        period_start=request.period_start,
        period_end=request.period_end,
        rate_table_id=quote.rate_table_id,
        rate_adjustment=quote.rate_adjustment,
        preferential_discount=Rate(quote.preferential_discount),
        quote_id=quote.id,
        named_buyer_id=named[0] if terms.named_buyer_required and named else None,
    )


def organisation_names(session: Session, organisation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of the insurers and policyholders on quotes and policies (public on the platform)."""
    if not organisation_ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(set(organisation_ids)))
        .execution_options(tenant_exempt=True)
    ).all()
    return {organisation_id: name for organisation_id, name in rows}
