"""Every guarded route tells server/scopes.py which plan it touches, or is listed as touching none.

A new route whose path has a parameter the resolver cannot map to a plan fails here, so nobody adds a
door that scoped accounts walk through unchecked.
"""

from __future__ import annotations

from litestar.routes import HTTPRoute

from server import scopes
from server.app import create_app
from tests.conftest import make_settings


def guarded_routes() -> set[tuple[str, str]]:
    app = create_app(make_settings("sqlite:///unused.sqlite"), manage_database=False)
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if any(getattr(g, "needed_role", None) is not None for g in handler.resolve_guards()):
                found |= {(m, route.path) for m in handler.http_methods if m not in ("HEAD", "OPTIONS")}
    return found


def test_every_guarded_route_names_its_plan_or_is_listed_as_planless():
    unknown = sorted(r for r in guarded_routes() if scopes.kind(*r) == "unknown")
    assert not unknown, f"server/scopes.py does not know the plan of: {unknown}"


def test_the_walk_sees_the_guarded_routes_of_every_kind():
    kinds = {scopes.kind(*r) for r in guarded_routes()}
    assert kinds == {"planless", "every-plan", "form", "path"}
    assert len(guarded_routes()) > 150


def test_the_lists_name_only_routes_that_exist():
    routes = {(method, scopes.bare(path)) for method, path in guarded_routes()}
    paths = {path for _method, path in routes}
    assert paths >= scopes.PLANLESS
    assert routes >= scopes.EVERY_PLAN
    assert routes >= scopes.ORGANISATION_ROUTES
    assert set(scopes.FORM_PLAN) <= paths


def test_a_parameter_it_does_not_know_makes_a_route_unknown():
    assert scopes.kind("GET", "/resultat/{code:str}/nagot/{mystery:int}") == "unknown"
    assert scopes.kind("GET", "/arbeta/nagot/{group:str}") == "unknown"  # within a plan, but which plan?
    assert scopes.kind("GET", "/resultat/{code:str}/malgrupper/{group:str}") == "path"
