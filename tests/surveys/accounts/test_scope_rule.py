"""The one rule for which plans and organisations a role covers (surveys/accounts/scopes.py)."""

from __future__ import annotations

from surveys.accounts.scopes import Grant, may_act, reach, sees_plan
from surveys.accounts.users import Account, Role


def person(role: Role, *grants: Grant) -> Account:
    return Account(1, "x@example.se", "X", role, tuple(grants))


def test_without_grants_a_role_covers_every_plan():
    assert may_act(person(Role.COMMUNICATOR), Role.COMMUNICATOR, "vilken-som-helst")


def test_a_plan_grant_covers_that_plan_and_no_other():
    reader = person(Role.READER, Grant("lan"))
    assert may_act(reader, Role.READER, "lan")
    assert not may_act(reader, Role.READER, "kommun")
    assert not sees_plan(reader, "kommun")


def test_a_grant_never_lifts_the_role():
    assert not may_act(person(Role.READER, Grant("lan")), Role.COMMUNICATOR, "lan")


def test_an_organisation_grant_covers_its_organisations_not_the_whole_plan():
    local = person(Role.COMMUNICATOR, Grant("lan", "alby"))
    assert sees_plan(local, "lan")
    assert reach(local, "lan") == {"alby"}
    assert may_act(local, Role.COMMUNICATOR, "lan", "alby")
    assert not may_act(local, Role.COMMUNICATOR, "lan", "region")
    assert not may_act(local, Role.COMMUNICATOR, "lan")  # the plan itself


def test_a_grant_whose_plan_is_gone_covers_nothing_rather_than_everything():
    left = person(Role.COMMUNICATOR, Grant(""))
    assert not sees_plan(left, "lan")
    assert not may_act(left, Role.READER, "")


def test_an_administrator_covers_every_plan_whatever_the_grants():
    assert may_act(person(Role.ADMIN, Grant("lan")), Role.ADMIN, "kommun")
