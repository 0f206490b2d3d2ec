"""Structured JSON logs with a request id, and no personal data: no addresses, no user agents, no queries."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from contextvars import ContextVar

from litestar.types import Scope

_request_id: ContextVar[str] = ContextVar("effekt_request_id", default="")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access = logging.getLogger("effekt.access")


class JsonFormatter(logging.Formatter):
    _second = -1
    _time = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # one line per request: the clock is formatted once a second
            self._second, self._time = second, self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
        entry = {
            "time": self._time,
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
    # The lines carry none of these, and the access line is written for every request; turning them off is
    # the logging HOWTO's own advice ("Optimization").
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None


def request_id_from(given: bytes) -> str:
    """The request's id, kept for every log line written while it runs."""
    # A proxy's id is kept so logs can be followed across systems; anything odd is replaced.
    text = given.decode("latin-1")
    request_id = text if _VALID_ID.fullmatch(text) else secrets.token_hex(8)
    _request_id.set(request_id)
    return request_id


def log_request(request_id: str, scope: Scope, status: int, started: float) -> None:
    """The access line, written when the response starts."""
    if access.isEnabledFor(logging.INFO):
        access.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],  # the path only: a query string may carry a one-time code
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
