"""Every error a person can meet, as a Swedish (or English) page or JSON body: never a stack trace."""

from __future__ import annotations

import logging
import re
import sys

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from locales import N_
from locales import gettext as _
from surveys.db.engine import is_database_unavailable
from surveys.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

log = logging.getLogger("effekt")

MESSAGES = {
    400: N_("Det du skickade kunde inte läsas. Gå tillbaka och försök igen."),
    403: N_(
        "Formuläret har gått ut eller skickades från en annan sida. "
        "Gå tillbaka, ladda om sidan och skicka igen."
    ),
    404: N_("Sidan finns inte. Kontrollera adressen eller gå till startsidan."),
    405: N_("Den här adressen tar inte emot den sortens anrop."),
    413: N_("Det du skickade är för stort. Korta ner svaren och försök igen."),
    415: N_("Det du skickade har ett format som inte stöds."),
    422: N_("Några svar behöver rättas."),
    429: N_("Du har skickat för många förfrågningar. Vänta en stund och försök igen."),
    500: N_("Något gick fel hos oss. Försök igen om en stund."),
    503: N_("Tjänsten är tillfälligt otillgänglig. Försök igen om en stund."),
}
TITLES = {
    404: N_("Sidan finns inte"),
    503: N_("Försök igen om en stund"),
}


class UserError(HTTPException):
    """An error whose `detail` is already a message for people, in the request's language."""

    def __init__(self, status_code: int, detail: str, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status_code, detail=detail)
        self.errors = errors or {}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str, errors: dict[str, str] | None = None):
    if wants_json(request):
        body: dict = {"status": status, "detail": message}
        if errors:
            body["errors"] = errors
        return Response(body, status_code=status)
    return Template(
        "error.html",
        context={"status": status, "message": message, "title": _(TITLES.get(status, N_("Något blev fel")))},
        status_code=status,
    )


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status == 401 and exc.headers and "location" in exc.headers and not wants_json(request):
        return Redirect(path=exc.headers["location"], status_code=303)
    if isinstance(exc, UserError):
        response = error_response(request, status, exc.detail, exc.errors)
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    message = _(MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400])
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        # The request body had the wrong shape: name the fields, never echo the parser's English.
        fields = {
            _field_name(e): _("Fältet finns inte, saknas eller har fel typ.")
            for e in exc.extra
            if isinstance(e, dict)
        }
        return error_response(request, status, _("Begäran har fel form. Se fälten i errors."), fields)
    response = error_response(request, status, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


# The one place where the domain's vocabulary (surveys/errors.py) becomes an HTTP status.
STATUS_OF = ((NotFound, 404), (Invalid, 422), (Conflict, 409), (Forbidden, 403))


def status_of(exc: DomainError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(exc, kind)), 400)


def domain_error(request: Request, exc: DomainError) -> Response:
    """Every domain error, from every page and API route: the person's message, and each field's."""
    return error_response(request, status_of(exc), exc.message, exc.errors)


def _field_name(error: dict) -> str:
    """'Object contains unknown field `ip`' or 'Expected `str`, got `int` - at `$.answers`' → the field."""
    message = str(error.get("message", ""))
    found = re.search(r"at `\$\.([^`]+)`", message) or re.search(r"unknown field `([^`]+)`", message)
    return found.group(1) if found else str(error.get("key") or "body")


def is_unstorable_text(exc: BaseException) -> bool:
    """True when PostgreSQL refused a text with a NUL character in it: bad input, not a failure of ours."""
    asyncpg = sys.modules.get("asyncpg")
    return asyncpg is not None and isinstance(
        exc,
        asyncpg.exceptions.CharacterNotInRepertoireError | asyncpg.exceptions.UntranslatableCharacterError,
    )


def server_error(request: Request, exc: Exception) -> Response:
    if is_database_unavailable(exc):
        log.warning("database unavailable: %s", type(exc).__name__)
        response = error_response(request, 503, _(MESSAGES[503]))
        response.headers["retry-after"] = "10"
        return response
    if is_unstorable_text(exc):
        # A NUL character (typed into an address, a form or JSON): PostgreSQL cannot even compare it.
        message = _(
            "Det du skickade innehöll ett tecken som inte kan användas (NUL). Ta bort det och försök igen."
        )
        return error_response(request, 400, message)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, _(MESSAGES[500]))
