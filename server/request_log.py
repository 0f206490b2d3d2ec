"""Structured JSON logs with a request id, and no personal data: no addresses, no user agents, no queries."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from contextvars import ContextVar

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Scopes, Send

_request_id: ContextVar[str] = ContextVar("effekt_request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access = logging.getLogger("effekt.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or _request_id.get()
        if request_id:
            entry["request_id"] = request_id
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on standard error for every logger (effekt's own, uvicorn's, Litestar's)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("piccolo").setLevel(logging.WARNING)


def _request_id_for(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        given = dict(scope.get("headers", ())).get(b"x-request-id", b"").decode("latin-1")
        # A proxy's id is kept so logs can be followed across systems; anything odd is replaced.
        state["request_id"] = given if _VALID_ID.match(given) else secrets.token_hex(8)
    return state["request_id"]


class RequestIdMiddleware(ASGIMiddleware):
    scopes: Scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        _request_id.set(_request_id_for(scope))
        scope["state"]["started"] = time.perf_counter()
        await next_app(scope, receive, send)


async def log_response(message: Message, scope: Scope) -> None:
    """Adds the request id to every response (404s too) and writes one access line."""
    if message["type"] != "http.response.start":
        return
    request_id = _request_id_for(scope)
    message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
    started = scope.get("state", {}).get("started")
    access.info(
        "request",
        extra={
            "request_id": request_id,
            "method": scope.get("method"),
            "path": scope.get("path"),  # the path only: a query string may carry a one-time code
            "status": message["status"],
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        },
    )
