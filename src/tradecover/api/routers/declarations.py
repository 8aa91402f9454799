"""Declarations: shipments and payments one by one, shipments listed, exposure per buyer, file imports."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.common import IsoDate
from tradecover.api.schemas.declarations import (
    BuyerExposureOut,
    ImportBatchOut,
    PaymentCreate,
    PaymentOut,
    ShipmentCreate,
    ShipmentOut,
    ShipmentPageOut,
    ShipmentQuery,
)
from tradecover.clock import get_clock
from tradecover.declarations import imports, payments, service
from tradecover.errors import ValidationError

router = APIRouter(
    route_class=KeyFirstRoute, tags=["declarations"], responses=error_responses(400, 401, 403, 404, 409, 422)
)

# Bigger files go through the CLI (`tradecover import declarations`), which has no upload limit.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


@router.post(
    "/shipments",
    response_model=ShipmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Declare a shipment",
)
def declare_shipment(body: ShipmentCreate, session: UnitOfWork, actor: CurrentActor) -> ShipmentOut:
    """Declare one shipment: judged rule by rule, insured for the part within the available limit or DCL."""
    declaration = service.ShipmentDeclaration(
        buyer_id=body.buyer_id,
        invoice_number=body.invoice_number,
        amount=body.amount.to_money(),
        shipment_date=body.shipment_date,
        due_date=body.due_date,
    )
    return ShipmentOut.of(service.declare_shipment(session, actor, body.policy_id, declaration))


@router.get("/shipments/{shipment_id}", response_model=ShipmentOut, summary="One shipment")
def get_shipment(shipment_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> ShipmentOut:
    """A declared shipment with its verdict per rule."""
    return ShipmentOut.of(service.get_shipment(session, shipment_id))


@router.get("/policies/{policy_id}/shipments", response_model=ShipmentPageOut, summary="A policy's shipments")
def list_shipments(
    policy_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor, query: Annotated[ShipmentQuery, Query()]
) -> ShipmentPageOut:
    """The policy's shipments, newest shipment date first, a page at a time."""
    page = service.list_shipments(
        session, actor, policy_id, buyer_id=query.buyer_id, page=query.page, page_size=query.page_size
    )
    return ShipmentPageOut(
        items=[ShipmentOut.of(s) for s in page.items],
        total=page.total,
        page=page.page,
        page_size=page.page_size,
    )


@router.post(
    "/payments", response_model=PaymentOut, status_code=status.HTTP_201_CREATED, summary="Declare a payment"
)
def declare_payment(body: PaymentCreate, session: UnitOfWork, actor: CurrentActor) -> PaymentOut:
    """Declare a payment received from a buyer: it settles the buyer's open invoices oldest first."""
    declaration = payments.PaymentDeclaration(
        buyer_id=body.buyer_id,
        amount=body.amount.to_money(),
        received_on=body.received_on,
        reference=body.reference,
    )
    payment = payments.declare_payment(session, actor, body.policy_id, declaration)
    return PaymentOut.of(payment, payments.applications_of(session, payment.id))


@router.get(
    "/policies/{policy_id}/exposure", response_model=list[BuyerExposureOut], summary="Exposure per buyer"
)
def exposure_by_buyer(
    policy_id: uuid.UUID,
    session: UnitOfWork,
    actor: CurrentActor,
    on: Annotated[IsoDate | None, Query(description="The date (default today).")] = None,
) -> list[BuyerExposureOut]:
    """Each buyer with a limit or a shipment: limit in force, insured outstanding, what is available."""
    rows = service.exposure_by_buyer(session, actor, policy_id, on=on or get_clock().today())
    return [BuyerExposureOut.of(row) for row in rows]


@router.post(
    "/policies/{policy_id}/declaration-imports",
    response_model=ImportBatchOut,
    status_code=status.HTTP_201_CREATED,
    summary="Import a declarations file",
)
def import_declarations(
    policy_id: uuid.UUID,
    session: UnitOfWork,
    actor: CurrentActor,
    file: Annotated[
        UploadFile | None, File(description="CSV (UTF-8) or .xlsx with the columns of docs/declarations.md.")
    ] = None,
) -> ImportBatchOut:
    """Import a CSV or .xlsx of shipments and payments whole, or record it rejected with each bad row."""
    # The policy first: another organisation's policy is not found, whatever was sent.
    service.policy_for_declaring(session, actor, policy_id)
    if file is None:
        raise ValidationError("send the file as multipart form data in the field 'file'", field="file")
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"the file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; import it with the CLI", field="file"
        )
    batch = imports.import_declarations(
        session, actor, policy_id, file.filename or "declarations.csv", content
    )
    return ImportBatchOut.of(batch)


@router.get("/declaration-imports/{batch_id}", response_model=ImportBatchOut, summary="An imported file")
def get_import(batch_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> ImportBatchOut:
    """An imported (or rejected) declarations file: status and row counts."""
    return ImportBatchOut.of(imports.get_batch(session, batch_id))


@router.get(
    "/declaration-imports/{batch_id}/rejections",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "row,reason — one line per rejected row."}},
    summary="The rejection report of a file",
)
def rejection_report(batch_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> Response:
    """The rows of the file that were rejected, with their row numbers and reasons (CSV)."""
    batch = imports.get_batch(session, batch_id)
    return Response(
        content=batch.report or "row,reason\n",
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{batch.reference}-rejections.csv"'},
    )
