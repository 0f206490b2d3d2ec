"""Reading an HTML form body strictly: UTF-8 only, a bounded number of fields, known content types."""

from __future__ import annotations

from urllib.parse import parse_qsl

from litestar import Request

from locales import gettext as _
from server.errors import UserError

MAX_FIELDS = 400
FORM_TYPE = "application/x-www-form-urlencoded"
_PARSED = "effekt_form"


async def read_form(request: Request) -> dict[str, list[str]]:
    """The submitted fields, each with all its values; a 4xx UserError for anything unreadable."""
    content_type = request.content_type[0]
    if content_type != FORM_TYPE:
        raise UserError(
            415, _("Formuläret skickades i ett format som inte stöds. Ladda om sidan och försök igen.")
        )
    parsed = request.scope["state"].get(_PARSED)
    if parsed is not None:  # already read by the CSRF check
        return parsed
    body = await request.body()
    try:
        text = body.decode("ascii")
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict",
            max_num_fields=MAX_FIELDS,
        )  # fmt: skip
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise UserError(
            400, _("Svaren innehöll tecken som inte kunde läsas. Kontrollera texten och försök igen.")
        ) from None
    except ValueError:
        raise UserError(
            400, _("Formuläret innehöll för många fält. Ladda om sidan och försök igen.")
        ) from None
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    request.scope["state"][_PARSED] = fields
    return fields


def field_value(fields: dict[str, list[str]], name: str) -> str:
    """The first value sent for `name`; "" when the field was not sent."""
    return (fields.get(name) or [""])[0]


def field_values(fields: dict[str, list[str]], *names: str) -> dict[str, str]:
    return {name: field_value(fields, name) for name in names}
