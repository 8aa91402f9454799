"""Products & rates (insurer admin): the insurer's products, their terms, rates and discount; edit terms."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money, Rate, to_decimal
from tradecover.parties.roles import Role
from tradecover.policies.model import Product
from tradecover.policies.products import (
    get_product,
    list_products,
    rate_grid,
    rate_table_for,
    update_product_terms,
    update_rate_table,
)
from tradecover.policies.rules import COUNTRY_GRADES
from tradecover.policies.terms import PRODUCT_KIND_TITLES, IndemnityPercentages, PolicyTerms
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.pages.policies import terms_rows
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import PRODUCTS_PATH

router = APIRouter(prefix=PRODUCTS_PATH)

MAY_SEE = (Role.INSURER_ADMIN, Role.UNDERWRITER)
CAUSES = ("insolvency", "protracted_default", "repudiation", "political", "public_body")


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}"


@router.get("", response_class=HTMLResponse)
def products(page: SignedIn) -> HTMLResponse:
    """The insurer's products with their main terms."""
    page.actor.require(*MAY_SEE)
    found = list_products(page.session, page.actor)
    return render(page.request, "products.html", {"products": found, "kind_titles": PRODUCT_KIND_TITLES})


def _form_values(product: Product) -> dict[str, Any]:
    terms = product.terms
    table = product.rate_table
    values: dict[str, Any] = {
        f"indemnity_{cause}": _percent(getattr(terms.indemnity, cause).value)
        for cause in CAUSES
        if getattr(terms.indemnity, cause) is not None
    }
    values.update(
        max_credit_period_days=str(terms.max_credit_period_days),
        max_credit_period_with_consent_days=str(terms.max_credit_period_with_consent_days),
        dcl=format(terms.dcl.amount, "f"),
        non_qualifying_loss=format(terms.non_qualifying_loss.amount, "f"),
        aggregate_first_loss=format(terms.aggregate_first_loss.amount, "f"),
        minimum_premium=format(terms.minimum_premium.amount, "f"),
        max_buyer_grade=str(terms.max_buyer_grade),
        max_country_grade=str(terms.max_country_grade),
        refused_countries=", ".join(terms.refused_countries),
        sends_quotes_automatically="yes" if product.sends_quotes_automatically else "no",
        preferential_discount=_percent(table.preferential_discount) if table is not None else "0",
    )
    return values


def _context(page: Page, product: Product) -> dict[str, Any]:
    table = rate_table_for(page.session, product)
    grid = rate_grid(table)
    grids = [
        {
            "grade_to": g,
            "rows": [
                (c, [_percent(grid.rates[(g, c, d)]) for d in grid.credit_day_bands]) for c in COUNTRY_GRADES
            ],
        }
        for g in grid.buyer_grade_bands
    ]
    return {
        "product": product,
        "kind_title": PRODUCT_KIND_TITLES[product.kind],
        "terms": terms_rows(product.terms),
        "table": table,
        "day_bands": grid.credit_day_bands,
        "grids": grids,
        "may_edit": page.actor.has(Role.INSURER_ADMIN),
    }


@router.get("/{product_id}", response_class=HTMLResponse)
def product(product_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """A product's terms and rate table, and (insurer admin) the form to change them."""
    page.actor.require(*MAY_SEE)
    found = get_product(page.session, page.actor, product_id)
    return render(page.request, "product.html", {**_context(page, found), "values": _form_values(found)})


def _number(form: FormData, name: str) -> Decimal:
    try:
        return to_decimal(text(form, name).strip() or "0", field=name)
    except DomainError as error:
        raise ValidationError(error.message, field=name) from None


def _whole(form: FormData, name: str) -> int:
    raw = text(form, name).strip()
    if not raw.isdigit():
        raise ValidationError("must be a whole number", field=name)
    return int(raw)


def _edited_terms(terms: PolicyTerms, form: FormData) -> PolicyTerms:
    def money(name: str) -> Money:
        try:
            return Money.of(_number(form, name), terms.currency)
        except DomainError as error:
            raise ValidationError(error.message, field=name) from None

    def percent(name: str) -> Rate:
        return Rate.percent(_number(form, name))

    public_body = text(form, "indemnity_public_body").strip()
    try:
        return terms.replace(
            indemnity=IndemnityPercentages(
                insolvency=percent("indemnity_insolvency"),
                protracted_default=percent("indemnity_protracted_default"),
                repudiation=percent("indemnity_repudiation"),
                political=percent("indemnity_political"),
                public_body=percent("indemnity_public_body") if public_body else None,
            ),
            max_credit_period_days=_whole(form, "max_credit_period_days"),
            max_credit_period_with_consent_days=_whole(form, "max_credit_period_with_consent_days"),
            dcl=money("dcl"),
            non_qualifying_loss=money("non_qualifying_loss"),
            aggregate_first_loss=money("aggregate_first_loss"),
            minimum_premium=money("minimum_premium"),
            max_buyer_grade=_whole(form, "max_buyer_grade"),
            max_country_grade=_whole(form, "max_country_grade"),
            refused_countries=tuple(
                code.strip().upper() for code in text(form, "refused_countries").split(",") if code.strip()
            ),
        )
    except ValidationError as error:
        # Name the form's field: indemnity.insolvency → indemnity_insolvency.
        raise ValidationError(error.message, field=(error.field or "").replace(".", "_") or None) from None


@router.post("/{product_id}", response_class=HTMLResponse)
def edit_product(product_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Save new default terms and the preferential discount (insurer admin); issued policies keep theirs."""
    found = get_product(page.session, page.actor, product_id)
    try:
        automatic = text(form, "sends_quotes_automatically")
        if automatic not in ("yes", "no"):
            raise ValidationError("choose yes or no", field="sends_quotes_automatically")
        update_product_terms(
            page.session,
            page.actor,
            product_id,
            terms=_edited_terms(found.terms, form),
            sends_quotes_automatically=automatic == "yes",
        )
        update_rate_table(
            page.session,
            page.actor,
            product_id,
            preferential_discount=Rate.percent(_number(form, "preferential_discount")),
        )
    except DomainError as error:
        return refused(
            page,
            "product.html",
            lambda: _context(page, get_product(page.session, page.actor, product_id)),
            field_errors(error),
            form,
        )
    flash(page.request, f"{found.name}: the new terms apply to quotes from now on.")
    return RedirectResponse(f"{PRODUCTS_PATH}/{product_id}", status_code=303)
