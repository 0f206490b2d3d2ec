"""Several browsers on one running app, each from its own address, for the account and sign-in tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from server.app import create_app
from surveys.db import engine as db
from tests.conftest import make_settings, running
from tests.support import csrf_token

PASSWORD = "ett-langt-losenord"


@asynccontextmanager
async def browsers(database: str) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    """`browser(address)`: a new browser (its own cookies) reaching the same app from `address`."""
    app = create_app(make_settings(database), manage_database=False)
    opened: list[httpx.AsyncClient] = []

    def browser(address: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://testserver",
            follow_redirects=False,
        )
        opened.append(client)
        return client

    # A pool, as `effekt serve` has: without one every query of a hundred requests at once would open
    # its own PostgreSQL connection.
    pooled = await db.start_pool(max_size=5)
    try:
        async with running(app):  # the app's lifespan, for as long as the browsers are used
            try:
                yield browser
            finally:
                for client in opened:
                    await client.aclose()
    finally:
        if pooled:
            await db.close_pool()


async def try_sign_in(
    client: httpx.AsyncClient, username: str, password: str, next: str = ""
) -> httpx.Response:
    token = csrf_token((await client.get("/logga-in")).text)
    return await client.post(
        "/logga-in", data={"_csrf_token": token, "username": username, "password": password, "next": next}
    )


async def form_token(client: httpx.AsyncClient, path: str = "/konto") -> str:
    return csrf_token((await client.get(path)).text)


async def is_signed_in(client: httpx.AsyncClient) -> bool:
    return (await client.get("/konto")).status_code == 200
