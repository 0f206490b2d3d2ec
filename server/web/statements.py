"""What a public body must publish about its service: the accessibility statement and the privacy notice.

Both are public (no sign-in), linked from every page's footer, and filled in per installation from the
settings (server/settings.py: EFFEKT_ORGANISATION_NAME, EFFEKT_CONTACT_EMAIL, EFFEKT_DPO_CONTACT,
EFFEKT_ACCESSIBILITY_TESTED, EFFEKT_ACCESSIBILITY_GAPS), with wording that holds where they are not set.
The accessibility statement follows the sections of DIGG's model for lagen (2018:1937) om tillgänglighet
till digital offentlig service; the privacy notice says in plain Swedish what docs/dataskydd.md says for
the data protection officer.
"""

from __future__ import annotations

from datetime import date

from litestar import Request, get
from litestar.response import Template

from server.sessions import session_account

ACCESSIBILITY_PATH = "/om/tillganglighet"
PRIVACY_PATH = "/om/personuppgifter"


def _about(request: Request) -> dict:
    settings = request.app.state.settings
    tested = date.fromisoformat(settings.accessibility_tested) if settings.accessibility_tested else None
    return {
        "organisation": settings.organisation_name,
        "email": settings.contact_email,
        "dpo": settings.dpo_contact,
        "tested": tested,
        "gaps": [line for line in settings.accessibility_gaps.splitlines() if line.strip()],
        "k": settings.min_group_size,
        "retention_days": settings.retention_days,
    }


@get(ACCESSIBILITY_PATH, name="accessibility_statement")
async def accessibility_statement(request: Request) -> Template:
    return Template(
        "statements/accessibility.html",
        context={"account": await session_account(request), **_about(request)},
    )


@get(PRIVACY_PATH, name="privacy_notice")
async def privacy_notice(request: Request) -> Template:
    return Template(
        "statements/privacy.html",
        context={"account": await session_account(request), **_about(request)},
    )


HANDLERS = [accessibility_statement, privacy_notice]
