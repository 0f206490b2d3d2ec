"""Structured JSON logs with a request id, and no personal data: no addresses, no user agents, no queries.

Respondents' requests (the survey pages and the respondent API) get no access line unless the server
failed; what is logged while one runs (an error) carries its day only and an id of effekt's own that is
never sent back: a time or an id that another log also holds (a proxy's, with addresses) could otherwise
tell when, and from where, one person answered. See docs/dataskydd.md.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from contextvars import ContextVar

from litestar.types import Scope

_request_id: ContextVar[str] = ContextVar("effekt_request_id", default="")
_respondent: ContextVar[bool] = ContextVar("effekt_respondent", default=False)
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
RESPONDENT_PATHS = ("/e/", "/api/v1/waves")
access = logging.getLogger("effekt.access")


def is_respondent_path(path: str) -> bool:
    return path.startswith(RESPONDENT_PATHS)


class JsonFormatter(logging.Formatter):
    _second = -1
    _time = ""
    _day = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # one line per request: the clock is formatted once a second
            self._second, self._time = second, self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
            self._day = self._time[:10]
        respondent = getattr(record, "respondent", None)
        if respondent is None:  # a line written while a request runs, such as an error
            respondent = _respondent.get()
        entry = {
            "time": self._day if respondent else self._time,
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


def request_ids(given: bytes, path: str) -> tuple[str, str]:
    """(the id every log line of this request carries, the id sent back in `x-request-id`).

    Elsewhere they are one id: a proxy's is kept so logs can be followed across systems, and anything odd
    is replaced. For a respondent the logged id is effekt's own and stays in the log; the header only
    echoes what the caller sent (or a fresh id), so no other system holds the key to the log line.
    """
    text = given.decode("latin-1")
    outside = text if _VALID_ID.fullmatch(text) else secrets.token_hex(8)
    respondent = is_respondent_path(path)
    logged = secrets.token_hex(8) if respondent else outside
    _respondent.set(respondent)
    _request_id.set(logged)
    return logged, outside


_ORGANISATION_LINK = re.compile(r"^(/e/[^/]+)/o/[^/]+")


def log_request(request_id: str, scope: Scope, status: int, started: float) -> None:
    """The access line, written when the response starts.

    A respondent's request gets no line unless it failed on the server: even with only its day, a line
    sits between staff lines that carry their time, so it would time the answer it stored (and an
    organisation's own link would say whose answer it was). A server error stores nothing, and its line
    names the wave, never the organisation.
    """
    respondent = is_respondent_path(scope["path"])
    if (respondent and status < 500) or not access.isEnabledFor(logging.INFO):
        return
    path = _ORGANISATION_LINK.sub(r"\1", scope["path"]) if respondent else scope["path"]
    access.info(
        "request",
        extra={
            "request_id": request_id,
            "respondent": respondent,
            "method": scope["method"],
            "path": path,  # the path only: a query string may carry a one-time code
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
