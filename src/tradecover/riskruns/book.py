"""The platform's book as the risk engine's arrays: per buyer exposure, PD, LGD, factors and labels.

Read in bulk SQL (column tuples, no ORM objects), so a book of 100,000 buyers loads in about a second:

- **Exposure** of a buyer: the limits in force on the date (the amount of the latest recorded limit event
  already effective, as `limits.rules.amount_in_force` reads it) under policies in their period on that
  date, summed over policies, each converted exactly to the reporting currency at the reference FX rate
  of the date and rounded half up once to the minor unit.
- **Or the insured outstanding** (`ExposureBasis.OUTSTANDING`): per policy and buyer, the insured part of
  the shipments made by the end of the date less what payments received by then released (as
  `declarations.service.exposure`), whatever the policy period (shipments in it stay covered).
- **PD**: 1 − (1 − PD of the buyer's grade)(1 − political PD of its country's grade on the date), exact
  in decimals before it becomes a float for the engine.
- **LGD** of the insurers: the share of a loss the policy pays, its insolvency indemnity percentage (the
  public-body percentage for local governments and state-owned enterprises where the policy has one),
  from the policy version in force on the date. A buyer under several policies gets the
  exposure-weighted mean, so that exposure × LGD is the sum of each policy's limit × indemnity. The
  insured's own retention is not the insurers' loss, hence not in the LGD.
- **Pools**: a limit under a pool's policy is held by the members in proportion to their shares: an
  insurer's book holds its share (share × amount, rounded once with the conversion), a pool's book
  every member's share (or one member's, for that member's run), the market every member's.
- **Parts**: each buyer's (policyholder, insurer) pieces with their loss share, for contributions by
  policyholder and insurer (a buyer defaults once, so an Euler contribution splits pro rata to the loss
  of its pieces exactly).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from tradecover.buyers.grades import country_grades
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.coinsurance.model import PoolMember
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.limits.model import CreditLimit, LimitEvent
from tradecover.money import minor_unit_exponent, round_half_up
from tradecover.parties.model import Organisation
from tradecover.policies.model import Policy, PolicyVersion
from tradecover.reference.countries import country_grade_pd, get_country
from tradecover.reference.fx import fx_rate
from tradecover.reference.grades import buyer_grade_pd, combined_pd
from tradecover.riskruns.model import ScopeKind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
StrArray = NDArray[np.str_]

PUBLIC_BODIES = (BuyerKind.LOCAL_GOVERNMENT, BuyerKind.STATE_OWNED_ENTERPRISE)
# Ids per IN (...) list: well below the bound-parameter limits of SQLite and PostgreSQL.
CHUNK = 5000


class ExposureBasis(enum.StrEnum):
    """What a buyer's exposure is: the limits in force, or the insured outstanding from declarations."""

    LIMITS = "limits"
    OUTSTANDING = "outstanding"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose book: one insurer's (its own limits and its shares of pool limits), one pool's, the market's.

    `member_id` keeps only that member's share of a pool's book (None: every member's, the pool whole).
    """

    kind: ScopeKind
    organisation_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PlatformBook:
    """The book on a date: n buyers (sorted by id) and m parts (a buyer's piece per policyholder, insurer).

    Amounts are exact minor units of `currency` (int64); `exposure` and `loss` are the same in currency
    as floats for the engine.
    """

    currency: str
    as_of: dt.date
    buyer_ids: StrArray
    names: StrArray
    countries: StrArray
    sectors: StrArray
    grades: IntArray
    exposure_minor: IntArray
    pd: FloatArray
    lgd: FloatArray
    part_buyer: IntArray
    part_policyholder: StrArray
    part_insurer: StrArray
    part_exposure_minor: IntArray
    part_loss_share: FloatArray
    organisation_names: dict[str, str]

    @property
    def size(self) -> int:
        """Number of buyers n."""
        return int(self.buyer_ids.shape[0])

    @property
    def exposure(self) -> FloatArray:
        """Exposure per buyer in currency, shape (n,)."""
        values: FloatArray = self.exposure_minor.astype(np.float64) / 10 ** minor_unit_exponent(self.currency)
        return values

    @property
    def total_exposure_minor(self) -> int:
        """The book's exposure in minor units, exact."""
        return int(self.exposure_minor.sum())


def _in_force_events(as_of: dt.date) -> Any:
    """(limit_id, amount_minor) of the event that sets each limit's amount in force on the date."""
    ranked = (
        select(
            LimitEvent.limit_id.label("limit_id"),
            LimitEvent.amount_minor.label("amount_minor"),
            func.row_number()
            .over(partition_by=LimitEvent.limit_id, order_by=LimitEvent.sequence.desc())
            .label("latest"),
        )
        .where(LimitEvent.amount_minor.is_not(None), LimitEvent.effective_on <= as_of)
        .subquery()
    )
    return select(ranked.c.limit_id, ranked.c.amount_minor).where(ranked.c.latest == 1).subquery()


def _policies_on(as_of: dt.date) -> Any:
    return (Policy.period_start <= as_of, Policy.period_end >= as_of,
            or_(Policy.cancelled_on.is_(None), Policy.cancelled_on > as_of))  # fmt: skip


def _scoped(query: Select[Any], scope: Scope) -> Select[Any]:
    if scope.kind is ScopeKind.MARKET:
        return query
    if scope.kind is ScopeKind.POOL:
        return query.where(Policy.insurer_id == scope.organisation_id)
    pools = select(PoolMember.pool_id).where(PoolMember.insurer_id == scope.organisation_id)
    return query.where(or_(Policy.insurer_id == scope.organisation_id, Policy.insurer_id.in_(pools)))


def _pool_shares(session: Session, ids: _Ids) -> dict[str, list[tuple[str, Decimal]]]:
    """Each pool's members and shares, in the pool's order."""
    rows = session.execute(
        select(PoolMember.pool_id, PoolMember.insurer_id, PoolMember.share)
        .order_by(PoolMember.pool_id, PoolMember.position)
        .execution_options(tenant_exempt=True)
    ).all()
    shares: dict[str, list[tuple[str, Decimal]]] = {}
    for pool_id, insurer_id, share in rows:
        shares.setdefault(ids(pool_id), []).append((ids(insurer_id), share))
    return shares


class _Ids:
    """Ids as canonical strings, each parsed once: the rows carry them as text, not UUID objects."""

    def __init__(self) -> None:
        self._seen: dict[object, str] = {}

    def __call__(self, raw: object) -> str:
        found = self._seen.get(raw)
        if found is None:
            found = self._seen[raw] = _canonical(raw)
        return found


def _canonical(raw: object) -> str:
    """The dashed lower-case form of a UUID given as text (32 hex digits on SQLite, dashed on PostgreSQL)."""
    text = str(raw).lower()
    if len(text) == 36 and text[8] == text[13] == text[18] == text[23] == "-":
        return text
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return str(uuid.UUID(text))


@dataclass(frozen=True)
class _Pieces:
    """Each limit's share held by one insurer (the insurer itself, or a pool's member): parallel lists."""

    rows: list[Any]
    insurers: list[str]
    shares: list[Decimal]


def _pieces(session: Session, rows: Sequence[Any], scope: Scope, ids: _Ids) -> _Pieces:
    """Split pool limits among members by share; keep only the scope's member where it names one."""
    pools = _pool_shares(session, ids)
    chosen = scope.organisation_id if scope.kind is ScopeKind.INSURER else scope.member_id
    member = None if chosen is None else str(chosen)
    pieces = _Pieces([], [], [])
    whole = Decimal(1)
    for row in rows:
        insurer = ids(row.insurer_id)
        for holder, share in pools.get(insurer, ((insurer, whole),)):
            if member is None or holder == member:
                pieces.rows.append(row)
                pieces.insurers.append(holder)
                pieces.shares.append(share)
    return pieces


def _limit_rows(session: Session, scope: Scope, as_of: dt.date) -> Sequence[Any]:
    in_force = _in_force_events(as_of)
    # Ids as text (parsed once each by `_Ids`), read as plain rows: 100,000 limits load in about a second.
    query = (
        select(
            cast(CreditLimit.buyer_id, String).label("buyer_id"),
            cast(CreditLimit.policy_id, String).label("policy_id"),
            cast(CreditLimit.policyholder_id, String).label("policyholder_id"),
            cast(CreditLimit.insurer_id, String).label("insurer_id"),
            CreditLimit.currency,
            in_force.c.amount_minor,
            cast(Buyer.kind, String).label("kind"),
            Buyer.name,
            Buyer.country,
            Buyer.sector,
            Buyer.grade,
        )
        .join(in_force, in_force.c.limit_id == CreditLimit.id)
        .join(Policy, Policy.id == CreditLimit.policy_id)
        .join(Buyer, Buyer.id == CreditLimit.buyer_id)
        .where(in_force.c.amount_minor > 0, *_policies_on(as_of))
    )
    # The service has checked who may read this scope; the market is every insurer's.
    return session.connection().execute(_scoped(query, scope)).all()


def _outstanding_rows(session: Session, scope: Scope, as_of: dt.date) -> Sequence[Any]:
    """Per policy and buyer: the insured outstanding at the end of the date (as `declarations.exposure`)."""
    shipped = (
        select(
            Shipment.policy_id.label("policy_id"),
            Shipment.buyer_id.label("buyer_id"),
            func.sum(Shipment.insured_minor).label("insured"),
        )
        .where(Shipment.shipment_date <= as_of)
        .group_by(Shipment.policy_id, Shipment.buyer_id)
        .subquery()
    )
    released = (
        select(
            PaymentApplication.policy_id.label("policy_id"),
            PaymentApplication.buyer_id.label("buyer_id"),
            func.sum(PaymentApplication.insured_released_minor).label("released"),
        )
        .where(PaymentApplication.received_on <= as_of)
        .group_by(PaymentApplication.policy_id, PaymentApplication.buyer_id)
        .subquery()
    )
    amount = (shipped.c.insured - func.coalesce(released.c.released, 0)).label("amount_minor")
    query = (
        select(
            cast(shipped.c.buyer_id, String).label("buyer_id"),
            cast(shipped.c.policy_id, String).label("policy_id"),
            cast(Policy.policyholder_id, String).label("policyholder_id"),
            cast(Policy.insurer_id, String).label("insurer_id"),
            Policy.currency,
            amount,
            cast(Buyer.kind, String).label("kind"),
            Buyer.name,
            Buyer.country,
            Buyer.sector,
            Buyer.grade,
        )
        .join(Policy, Policy.id == shipped.c.policy_id)
        .join(Buyer, Buyer.id == shipped.c.buyer_id)
        .outerjoin(
            released,
            (released.c.policy_id == shipped.c.policy_id) & (released.c.buyer_id == shipped.c.buyer_id),
        )
        .where(amount > 0)
    )
    return session.connection().execute(_scoped(query, scope)).all()


def _indemnities(
    session: Session, policy_ids: set[uuid.UUID], as_of: dt.date
) -> dict[uuid.UUID, dict[str, Any]]:
    """The indemnity percentages of each policy's latest version effective on the date (else its first)."""
    chosen: dict[uuid.UUID, tuple[bool, int, dict[str, Any]]] = {}
    ids = sorted(policy_ids)
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(
                PolicyVersion.policy_id,
                PolicyVersion.version,
                PolicyVersion.effective_from,
                PolicyVersion.terms_json,
            )
            .where(PolicyVersion.policy_id.in_(ids[start : start + CHUNK]))
            .execution_options(tenant_exempt=True)
        ).all()
        for policy_id, version, effective_from, terms in rows:
            # Effective versions rank above later ones; among them the newest, else the first.
            rank = (effective_from <= as_of, version if effective_from <= as_of else -version)
            current = chosen.get(policy_id)
            if current is None or rank > current[:2]:
                chosen[policy_id] = (*rank, terms.get("indemnity", {}))
    return {policy_id: value[2] for policy_id, value in chosen.items()}


def _indemnity_rate(indemnity: dict[str, Any], public_body: bool) -> Decimal:
    raw = indemnity.get("public_body") if public_body else None
    return Decimal(str(raw if raw is not None else indemnity.get("insolvency", "1")))


def _pd_table(session: Session, as_of: dt.date) -> tuple[dict[str, int], dict[tuple[int, int], float]]:
    """Country grades on the date, and the combined PD of every (buyer grade, country grade) pair."""
    grades = country_grades(session, on=as_of)
    table = {
        (buyer, country): float(combined_pd(buyer_grade_pd(buyer), country_grade_pd(country)))
        for buyer in range(1, 11)
        for country in range(8)
    }
    return grades, table


def _organisation_names(session: Session, ids: set[str]) -> dict[str, str]:
    keys = sorted(uuid.UUID(value) for value in ids)
    names: dict[str, str] = {}
    for start in range(0, len(keys), CHUNK):
        rows = session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(keys[start : start + CHUNK]))
            .execution_options(tenant_exempt=True)
        ).all()
        names.update((str(org_id), name) for org_id, name in rows)
    return names


def _to_reporting(pieces: _Pieces, currency: str, as_of: dt.date) -> IntArray:
    """Each piece (share × amount) in minor units of `currency`, exact, rounded half up once."""
    target = Decimal(10) ** minor_unit_exponent(currency)
    factors: dict[str, Decimal] = {}
    for code in {row.currency for row in pieces.rows}:
        factors[code] = fx_rate(code, currency, as_of) * target / Decimal(10) ** minor_unit_exponent(code)
    whole = Decimal(1)
    converted = np.empty(len(pieces.rows), dtype=np.int64)
    for k, (row, share) in enumerate(zip(pieces.rows, pieces.shares, strict=True)):
        factor = factors[row.currency]
        if factor == 1 and share == whole:
            converted[k] = int(row.amount_minor)  # the reporting currency, whole: nothing to round
        else:
            exact = Decimal(int(row.amount_minor)) * share * factor / target
            converted[k] = int(round_half_up(exact, currency) * target)
    return converted


def load_book(
    session: Session,
    scope: Scope,
    as_of: dt.date,
    currency: str = "USD",
    basis: ExposureBasis = ExposureBasis.LIMITS,
) -> PlatformBook:
    """The book of the scope on the date, per buyer, in `currency` (see the module's notes)."""
    ids = _Ids()
    if basis is ExposureBasis.OUTSTANDING:
        rows = _outstanding_rows(session, scope, as_of)
    else:
        rows = _limit_rows(session, scope, as_of)
    pieces = _pieces(session, rows, scope, ids)
    policies = {raw: uuid.UUID(ids(raw)) for raw in {row.policy_id for row in pieces.rows}}
    indemnities = _indemnities(session, set(policies.values()), as_of)
    exposure_minor = _to_reporting(pieces, currency, as_of)
    rate_of: dict[tuple[str, bool], float] = {}
    rates = np.empty(len(pieces.rows), dtype=np.float64)
    for k, row in enumerate(pieces.rows):
        key = (row.policy_id, row.kind in PUBLIC_BODIES)
        if key not in rate_of:
            rate_of[key] = float(_indemnity_rate(indemnities[policies[row.policy_id]], key[1]))
        rates[k] = rate_of[key]
    # One part per (buyer, policyholder, insurer): several policies of the same pair add up.
    # Keys are the rows' own id texts (one backend, one form); only distinct ones are made canonical.
    distinct: dict[tuple[str, str, str], int] = {}
    index = np.asarray(
        [
            distinct.setdefault((row.buyer_id, row.policyholder_id, insurer), len(distinct))
            for row, insurer in zip(pieces.rows, pieces.insurers, strict=True)
        ],
        dtype=np.int64,
    )
    parts = [(_canonical(buyer), ids(holder), insurer) for buyer, holder, insurer in distinct]
    part_exposure = np.zeros(len(parts), dtype=np.int64)
    np.add.at(part_exposure, index, exposure_minor)
    part_loss = np.bincount(index, weights=exposure_minor * rates, minlength=len(parts))
    buyer_order = sorted({key[0] for key in parts})
    position = {buyer_id: i for i, buyer_id in enumerate(buyer_order)}
    part_buyer = np.asarray([position[key[0]] for key in parts], dtype=np.int64)
    n = len(buyer_order)
    buyer_exposure = np.zeros(n, dtype=np.int64)
    np.add.at(buyer_exposure, part_buyer, part_exposure)
    buyer_loss = np.bincount(part_buyer, weights=part_loss, minlength=n)
    facts = {row.buyer_id: (row.name, row.country, row.sector, int(row.grade)) for row in pieces.rows}
    facts = {_canonical(raw): fact for raw, fact in facts.items()}
    grades_by_country, pd_table = _pd_table(session, as_of)
    countries = [facts[b][1] for b in buyer_order]
    grades = np.asarray([facts[b][3] for b in buyer_order], dtype=np.int64)
    country_grade = {
        c: grades_by_country[c] if c in grades_by_country else get_country(c).grade for c in set(countries)
    }
    pd = np.asarray(
        [
            pd_table[grade, country_grade[country]]
            for grade, country in zip(grades.tolist(), countries, strict=True)
        ],
        dtype=np.float64,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        lgd = np.where(buyer_exposure > 0, buyer_loss / buyer_exposure, 0.0)
    own_loss = buyer_loss[part_buyer]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(own_loss > 0, part_loss / own_loss, 0.0)
    organisations = {key[1] for key in parts} | {key[2] for key in parts}
    return PlatformBook(
        currency=currency,
        as_of=as_of,
        buyer_ids=np.asarray(buyer_order, dtype=np.str_),
        names=np.asarray([facts[b][0] for b in buyer_order], dtype=np.str_),
        countries=np.asarray(countries, dtype=np.str_),
        sectors=np.asarray([facts[b][2] for b in buyer_order], dtype=np.str_),
        grades=grades,
        exposure_minor=buyer_exposure,
        pd=pd,
        lgd=np.clip(lgd, 0.0, 1.0),
        part_buyer=part_buyer,
        part_policyholder=np.asarray([key[1] for key in parts], dtype=np.str_),
        part_insurer=np.asarray([key[2] for key in parts], dtype=np.str_),
        part_exposure_minor=part_exposure,
        part_loss_share=share,
        organisation_names=_organisation_names(session, organisations) if organisations else {},
    )
