"""Coinsurance pool pages for members: the pools, one pool's members and capacity, "my share" tables."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from tradecover.coinsurance.capacity import capacity_use
from tradecover.coinsurance.rules import percent
from tradecover.coinsurance.service import list_pools
from tradecover.limits.pool_shares import member_shares
from tradecover.parties.roles import Role
from tradecover.web.dependencies import SignedIn
from tradecover.web.rendering import render
from tradecover.web.workspaces import POOLS_PATH

router = APIRouter()

MAY_SEE = (Role.INSURER_ADMIN, Role.UNDERWRITER, Role.CLAIMS_HANDLER, Role.PLATFORM_ADMIN)


@router.get(POOLS_PATH, response_class=HTMLResponse)
def pools(page: SignedIn) -> HTMLResponse:
    """The pools the user's insurer is a member of: leader, commission, the insurer's share."""
    page.actor.require(*MAY_SEE)
    rows: list[dict[str, Any]] = []
    for view in list_pools(page.session, page.actor):
        mine = next((m for m in view.members if m.insurer_id == page.actor.organisation_id), None)
        rows.append(
            {
                "view": view,
                "commission": percent(view.pool.leader_commission),
                "my_share": percent(mine.share) if mine else "—",
                "leads": view.pool.leader_id == page.actor.organisation_id,
            }
        )
    return render(page.request, "pools.html", {"rows": rows})


@router.get(POOLS_PATH + "/{pool_id}", response_class=HTMLResponse)
def pool_page(pool_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One pool: members, shares, capacity used and left; the member's share of policies and limits."""
    page.actor.require(*MAY_SEE)
    shares = member_shares(page.session, page.actor, pool_id)
    view = shares.pool
    members = [
        {
            "use": use,
            "share": percent(use.member.share),
            "is_leader": use.member.insurer_id == view.pool.leader_id,
            "is_me": use.member.insurer_id == shares.member.insurer_id,
        }
        for use in capacity_use(page.session, view.id)
    ]
    return render(
        page.request,
        "pool.html",
        {
            "view": view,
            "members": members,
            "shares": shares,
            "my_share": percent(shares.share),
            "commission": percent(view.pool.leader_commission),
            "leads": view.pool.leader_id == shares.member.insurer_id,
        },
    )
