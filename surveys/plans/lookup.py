"""Finding a plan by its code: the one place that says there is no such plan."""

from __future__ import annotations

from typing import Any

from locales import gettext as _
from surveys.db.tables import Plan
from surveys.errors import NotFound


def no_such_plan(code: str) -> NotFound:
    return NotFound(_("Det finns ingen plan med koden %(code)s.") % {"code": code})


async def plan_row(code: str) -> dict[str, Any]:
    """The plan's stored row; `NotFound` when no plan has this code."""
    plan = await Plan.select().where(Plan.code == code).first()
    if plan is None:
        raise no_such_plan(code)
    return plan
