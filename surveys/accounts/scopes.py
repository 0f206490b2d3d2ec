"""The one rule for which plans (and organisations within a plan) a person's role covers.

A role is global unless the user has grants (table `user_scope`): then it covers only the granted plans,
each either as a whole or only for some of its organisations. Administrators always cover everything.
Pure functions of an `Account`, so the page guards, the API guards, the lists and the start page all ask
the same question the same way (docs/security.md, "Behörighet per plan").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveys.accounts.users import Account, Role


@dataclass(frozen=True, order=True)
class Grant:
    """The role covers plan `plan` as a whole (`organisation` None) or only its organisation
    `organisation`. A grant whose plan or organisation was deleted has `plan` "" and covers nothing."""

    plan: str
    organisation: str | None = None

    @property
    def gone(self) -> bool:
        return not self.plan


WHOLE_PLAN = None  # what `reach` returns when the role covers the whole plan


def covers_every_plan(account: Account) -> bool:
    """An administrator, or a user without grants: the role covers every plan, as before grants existed."""
    from surveys.accounts.users import Role

    return account.role is Role.ADMIN or not account.scopes


def reach(account: Account, plan: str) -> frozenset[str] | None:
    """What of plan `plan` the account's role covers: `WHOLE_PLAN` (None), the codes of the
    organisations it covers, or an empty set for nothing at all."""
    if covers_every_plan(account):
        return WHOLE_PLAN
    grants = [g for g in account.scopes if not g.gone and g.plan == plan]
    if any(g.organisation is None for g in grants):
        return WHOLE_PLAN
    return frozenset(g.organisation for g in grants if g.organisation)


def sees_plan(account: Account, plan: str) -> bool:
    """The plan belongs in the account's lists: its role covers the plan or some organisation of it."""
    covered = reach(account, plan)
    return covered is WHOLE_PLAN or bool(covered)


def may_act(account: Account, role: Role, plan: str, organisation: str | None = None) -> bool:
    """May the account act with `role` on plan `plan`: on the whole plan (`organisation` None), or on
    one of its organisations? The role must be high enough and the grants must cover it."""
    if not account.role.may(role):
        return False
    covered = reach(account, plan)
    if covered is WHOLE_PLAN:
        return True
    return organisation is not None and organisation in covered


def plans_in_scope(account: Account, codes: list[str] | set[str]) -> set[str]:
    """The plan codes among `codes` the account may see."""
    return {code for code in codes if sees_plan(account, code)}
