"""Health checks: alive always, ready only with a reachable, migrated database."""

from __future__ import annotations

from server.app import create_app
from surveys.db import engine as db
from tests.conftest import make_settings, running


async def test_a_migrated_database_is_ready(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    response = await client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ready"}


async def test_a_database_without_tables_is_not_ready(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    db.use_database(url)
    async with running(create_app(make_settings(url), manage_database=False)) as client:
        assert (await client.get("/healthz")).status_code == 200
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["detail"] == "migrations"
