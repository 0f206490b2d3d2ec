"""/api/v1/me: whose key a script is using, with which role and for which plans, and when the key expires."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Request, get

from server import clock
from server.auth import account_of, bearer_token, requires
from surveys.accounts.users import Role, token_view


class KeyOut(msgspec.Struct):
    name: str
    created_at: datetime
    expires_at: datetime | None
    days_left: int


class GrantOut(msgspec.Struct):
    plan: str
    organisation: str | None  # None: the whole plan


class MeOut(msgspec.Struct):
    username: str
    display_name: str
    role: str
    key: KeyOut
    # The plans (or organisations within a plan) the role covers; empty when it covers every plan.
    grants: list[GrantOut]


@get("/me", guards=[requires(Role.READER)], summary="The account and API key in use")
async def me(request: Request) -> MeOut:
    """The key's owner and role, and when the key expires (so a script can warn before it stops working)."""
    account = account_of(request)
    now = clock.now()
    key = await token_view(bearer_token(request), now)
    return MeOut(
        username=account.username,
        display_name=account.display_name,
        role=account.role.value,
        key=KeyOut(
            name=key.name,
            created_at=key.created_at,
            expires_at=key.expires_at,
            days_left=max((key.expires_at - now).days, 0) if key.expires_at else 0,
        ),
        grants=[GrantOut(g.plan, g.organisation) for g in sorted(account.scopes) if not g.gone],
    )


HANDLERS = [me]
