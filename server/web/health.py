"""Health checks for load balancers and container platforms: alive, and ready to serve."""

from __future__ import annotations

from litestar import Response, get

from surveys.db import engine as db


@get("/healthz", include_in_schema=False)
async def healthz() -> Response:
    """The process answers; nothing else is checked, so a slow database never gets it restarted."""
    return Response({"status": "ok"}, headers={"cache-control": "no-store"})


@get("/readyz", include_in_schema=False)
async def readyz() -> Response:
    """Ready when the database answers and its tables are up to date (migrations run)."""
    try:
        pending = await db.pending_migrations()
    except Exception as exc:  # the database itself is what is being checked
        if not db.is_database_unavailable(exc):
            raise
        return Response({"status": "unavailable", "detail": "database"}, status_code=503)
    if pending:
        return Response(
            {"status": "unavailable", "detail": "migrations", "pending": len(pending)}, status_code=503
        )
    return Response({"status": "ready"}, headers={"cache-control": "no-store"})


HANDLERS = [healthz, readyz]
