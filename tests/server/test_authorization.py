"""Every route has an expected outcome for anonymous people, läsare, kommunikatörer and admins.

A new route without an entry here fails the first test, so nobody forgets to decide who may use it.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta

import pytest
from litestar.routes import HTTPRoute

from server import scopes
from server.app import create_app
from surveys.accounts.users import Role, create_token, create_user
from surveys.db import engine as db
from surveys.db.tables import EffectGoal
from surveys.plans.plan_file import parse_plan, store_plan
from tests.conftest import make_settings
from tests.support import PLAN, csrf_token, make_wave, release, sign_in

ROLES = ("anonymous", Role.READER, Role.COMMUNICATOR, Role.ADMIN)
STAFF = {"anonymous": 303, Role.READER: 403, Role.COMMUNICATOR: 200, Role.ADMIN: 200}
STAFF_POST = {"anonymous": 303, Role.READER: 403, Role.COMMUNICATOR: 303, Role.ADMIN: 303}
READER = {"anonymous": 303, Role.READER: 200, Role.COMMUNICATOR: 200, Role.ADMIN: 200}
TOKEN = {"anonymous": 401, Role.READER: 200, Role.COMMUNICATOR: 200, Role.ADMIN: 200}
ADMIN_ONLY = {"anonymous": 303, Role.READER: 403, Role.COMMUNICATOR: 403, Role.ADMIN: 200}
DESIGN_API = {"anonymous": 401, Role.READER: 403, Role.COMMUNICATOR: 200, Role.ADMIN: 200}


def everyone(status: int) -> dict:
    return dict.fromkeys(ROLES, status)


def edit_api(status: int) -> dict:
    """A plan editing API route: `status` is what the matrix's body ({"answers": {}}) gets."""
    return {"anonymous": 401, Role.READER: 403, Role.COMMUNICATOR: status, Role.ADMIN: status}


EDIT_API = edit_api(400)  # the matrix's body is not the route's JSON shape


# (method, route path) → expected status per role. Bodies are empty forms: respondents' routes answer
# with their validation status, which is the same for everyone (respondents never sign in).
EXPECTED = {
    ("GET", "/api/v1/plans/{code:str}/planning"): TOKEN,
    ("GET", "/api/v1/plans/{code:str}/questions"): TOKEN,
    ("GET", "/api/v1/plans/{code:str}/questions/crosstab"): {
        "anonymous": 401,
        Role.READER: 400,
        Role.COMMUNICATOR: 400,
        Role.ADMIN: 400,
    },
    ("GET", "/api/v1/plans/{code:str}/questions/{question:str}/texts"): {
        "anonymous": 401,
        Role.READER: 403,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/api/v1/plans/{code:str}/reach/trend"): TOKEN,
    ("GET", "/om/personuppgifter"): everyone(200),
    ("GET", "/om/tillganglighet"): everyone(200),
    ("GET", "/resultat/{code:str}/fragor"): READER,
    ("GET", "/resultat/{code:str}/fragor/korstabell"): READER,
    ("GET", "/resultat/{code:str}/fragor/{question:str}/fritext"): {
        "anonymous": 303,
        Role.READER: 403,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/resultat/{code:str}/rackvidd"): READER,
    ("GET", "/resultat/{code:str}/visning"): READER,
    ("GET", "/resultat/{code:str}/visning/{group:str}"): READER,
    ("GET", "/"): everyone(200),
    ("GET", "/konto"): READER,
    ("POST", "/konto/nycklar"): {**READER, Role.READER: 422, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("POST", "/konto/nycklar/{token:int}/aterkalla"): {
        **READER,
        Role.READER: 404,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/konto/losenord"): {**READER, Role.READER: 422, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("GET", "/admin/anvandare/{user:int}"): {
        "anonymous": 303,
        Role.READER: 403,
        Role.COMMUNICATOR: 403,
        Role.ADMIN: 404,
    },
    ("GET", "/admin/logg"): ADMIN_ONLY,
    ("GET", "/admin/logg.csv"): ADMIN_ONLY,
    ("GET", "/api/v1/me"): TOKEN,
    ("GET", "/admin/anvandare"): {
        "anonymous": 303,
        Role.READER: 403,
        Role.COMMUNICATOR: 403,
        Role.ADMIN: 200,
    },
    ("POST", "/admin/anvandare"): {
        "anonymous": 303,
        Role.READER: 403,
        Role.COMMUNICATOR: 403,
        Role.ADMIN: 422,
    },
    ("POST", "/admin/anvandare/{user:int}/{action:str}"): {
        "anonymous": 303,
        Role.READER: 403,
        Role.COMMUNICATOR: 403,
        Role.ADMIN: 404,
    },
    ("GET", "/healthz"): everyone(200),
    ("GET", "/readyz"): everyone(200),
    ("GET", "/e/{slug:str}"): everyone(200),
    ("GET", "/e/{slug:str}/o/{organisation:str}"): everyone(200),
    ("GET", "/e/{slug:str}/tack"): everyone(200),
    ("POST", "/e/{slug:str}"): everyone(400),
    ("POST", "/e/{slug:str}/o/{organisation:str}"): everyone(400),
    ("GET", "/logga-in"): {"anonymous": 200, Role.READER: 303, Role.COMMUNICATOR: 303, Role.ADMIN: 303},
    ("POST", "/logga-in"): everyone(401),
    ("POST", "/logga-ut"): everyone(303),
    ("GET", "/arbeta"): STAFF,
    ("GET", "/arbeta/planer/{code:str}"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/mal/{goal:int}"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("POST", "/arbeta/planer/{code:str}/malgrupper/{group:str}/storlekar"): STAFF_POST,
    ("GET", "/arbeta/omgangar/{slug:str}"): STAFF,
    ("GET", "/arbeta/omgangar/{slug:str}/qr/{fmt:str}"): STAFF,
    ("POST", "/arbeta/omgangar/{slug:str}/stang"): STAFF_POST,
    ("POST", "/arbeta/omgangar/{slug:str}/ateroppna"): STAFF_POST,
    ("POST", "/arbeta/omgangar/{slug:str}/redovisa"): STAFF_POST,
    ("GET", "/arbeta/planer/{code:str}/rackvidd"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/rackvidd"): {**STAFF_POST, Role.COMMUNICATOR: 415, Role.ADMIN: 415},
    ("GET", "/arbeta/omgangar/ny"): STAFF,
    ("POST", "/arbeta/omgangar/ny"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("GET", "/arbeta/enkater"): STAFF,
    ("POST", "/arbeta/enkater"): {**STAFF_POST, Role.COMMUNICATOR: 415, Role.ADMIN: 415},
    ("GET", "/arbeta/enkater/{code:str}/export"): {**STAFF, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("GET", "/arbeta/enkater/{code:str}/version/{number:int}"): {
        **STAFF,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/arbeta/omgangar/{slug:str}/koder"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("GET", "/resultat"): {**READER, Role.READER: 303, Role.COMMUNICATOR: 303, Role.ADMIN: 303},
    ("GET", "/resultat/{code:str}"): READER,
    ("GET", "/resultat/{code:str}/malgrupper/{group:str}"): READER,
    ("GET", "/resultat/{code:str}/malgrupper/{group:str}/diagram/{chart:str}"): READER,
    ("GET", "/resultat/{code:str}/moten"): READER,
    ("POST", "/resultat/{code:str}/moten"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("GET", "/resultat/{code:str}/moten/{meeting:int}"): {
        **READER,
        Role.READER: 404,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/resultat/{code:str}/moten/{meeting:int}/beslut"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/resultat/{code:str}/aktiviteter"): READER,
    ("GET", "/resultat/{code:str}/moten/{meeting:int}/motespaket/{fmt:str}"): {
        **READER,
        Role.READER: 404,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/resultat/{code:str}/export/{fmt:str}"): READER,
    ("GET", "/resultat/{code:str}/svar.csv"): {
        "anonymous": 303,
        Role.READER: 403,
        Role.COMMUNICATOR: 403,
        Role.ADMIN: 200,
    },
    ("GET", "/api/v1/waves"): everyone(200),
    ("GET", "/api/v1/waves/{slug:str}"): everyone(200),
    ("POST", "/api/v1/waves/{slug:str}/responses"): everyone(422),
    # Let through, but the page above already made today's release (409): one a day, whichever door.
    ("POST", "/api/v1/waves/{slug:str}/releases"): edit_api(409),
    ("GET", "/arbeta/fragebank"): STAFF,
    ("GET", "/arbeta/enkater/ny"): STAFF,
    ("POST", "/arbeta/enkater/ny"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("POST", "/arbeta/enkater/{code:str}/fran-banken"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/arbeta/enkater/{code:str}/redigera"): {**STAFF, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("POST", "/arbeta/enkater/{code:str}/redigera"): {**STAFF_POST, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("POST", "/arbeta/enkater/{code:str}/fragor/{question:str}/flytta"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/arbeta/enkater/{code:str}/fragor/{question:str}/ta-bort"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/arbeta/enkater/{code:str}/ny-fraga"): {**STAFF, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("POST", "/arbeta/enkater/{code:str}/ny-fraga"): {**STAFF_POST, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("GET", "/arbeta/enkater/{code:str}/fragor/{question:str}"): {
        **STAFF,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/arbeta/enkater/{code:str}/fragor/{question:str}"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/arbeta/enkater/{code:str}/kontroll"): {**STAFF, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("POST", "/arbeta/enkater/{code:str}/ta-bort"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("DELETE", "/api/v1/questionnaires/{code:str}"): {**DESIGN_API, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("GET", "/api/v1/bank"): DESIGN_API,
    ("GET", "/api/v1/questionnaires/{code:str}"): {**DESIGN_API, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("POST", "/api/v1/questionnaires"): {**DESIGN_API, Role.COMMUNICATOR: 400, Role.ADMIN: 400},
    ("POST", "/api/v1/questionnaires/{code:str}/questions"): {
        **DESIGN_API,
        Role.COMMUNICATOR: 400,
        Role.ADMIN: 400,
    },
    ("PUT", "/api/v1/questionnaires/{code:str}/questions/{question:str}"): {
        **DESIGN_API,
        Role.COMMUNICATOR: 400,
        Role.ADMIN: 400,
    },
    ("DELETE", "/api/v1/questionnaires/{code:str}/questions/{question:str}"): {
        **DESIGN_API,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("PUT", "/api/v1/questionnaires/{code:str}/order"): {
        **DESIGN_API,
        Role.COMMUNICATOR: 400,
        Role.ADMIN: 400,
    },
    ("GET", "/api/v1/plans"): TOKEN,
    ("GET", "/api/v1/plans/{code:str}/results"): TOKEN,
    # Editing the plan (server/web/plans.py, server/api/plans.py).
    ("GET", "/arbeta/planer/{code:str}/organisationer"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/organisationer"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("POST", "/arbeta/planer/{code:str}/organisationer/{organisation:str}"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("POST", "/arbeta/planer/{code:str}/organisationer/{organisation:str}/{action:str}"): STAFF_POST,
    ("GET", "/arbeta/planer/{code:str}/kanaler"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/kanaler"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("POST", "/arbeta/planer/{code:str}/kanaler/{channel:str}"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("POST", "/arbeta/planer/{code:str}/kanaler/{channel:str}/ta-bort"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 409,
        Role.ADMIN: 409,
    },
    ("GET", "/arbeta/planer/{code:str}/aktiviteter/ny"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/aktiviteter"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("GET", "/arbeta/planer/{code:str}/aktiviteter/{activity:str}"): {
        **STAFF,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/arbeta/planer/{code:str}/aktiviteter/{activity:str}"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/arbeta/planer/{code:str}/aktiviteter/{activity:str}/ta-bort"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("GET", "/arbeta/planer/{code:str}/malgrupper"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/malgrupper"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("POST", "/arbeta/planer/{code:str}/malgrupper/{group:str}"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("GET", "/arbeta/planer/{code:str}/storlekar"): STAFF,
    ("GET", "/arbeta/planer/{code:str}/storlekar/mall.csv"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/storlekar"): {**STAFF_POST, Role.COMMUNICATOR: 415, Role.ADMIN: 415},
    ("POST", "/arbeta/planer/{code:str}/storlekar/spara"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("GET", "/arbeta/planer/{code:str}/rackvidd/poster"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/rackvidd/poster"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("POST", "/arbeta/planer/{code:str}/rackvidd/poster/{figure:int}/ta-bort"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/api/v1/plans/{code:str}/organisations"): EDIT_API,
    ("PUT", "/api/v1/plans/{code:str}/organisations/{organisation:str}"): EDIT_API,
    ("POST", "/api/v1/plans/{code:str}/organisations/{organisation:str}/{action:str}"): edit_api(404),
    ("DELETE", "/api/v1/plans/{code:str}/organisations/{organisation:str}"): edit_api(409),
    ("POST", "/api/v1/plans/{code:str}/channels"): EDIT_API,
    ("PUT", "/api/v1/plans/{code:str}/channels/{channel:str}"): EDIT_API,
    ("DELETE", "/api/v1/plans/{code:str}/channels/{channel:str}"): edit_api(409),
    ("POST", "/api/v1/plans/{code:str}/activities"): EDIT_API,
    ("PUT", "/api/v1/plans/{code:str}/activities/{activity:str}"): EDIT_API,
    ("DELETE", "/api/v1/plans/{code:str}/activities/{activity:str}"): edit_api(404),
    ("POST", "/api/v1/plans/{code:str}/target-groups"): EDIT_API,
    ("PUT", "/api/v1/plans/{code:str}/target-groups/{group:str}"): EDIT_API,
    ("PUT", "/api/v1/plans/{code:str}/target-groups/{group:str}/sizes"): EDIT_API,
    ("POST", "/api/v1/plans/{code:str}/sizes"): edit_api(422),
    ("PUT", "/api/v1/plans/{code:str}/goals/{goal:int}"): EDIT_API,
    ("GET", "/api/v1/plans/{code:str}"): edit_api(200),
    ("GET", "/api/v1/plans/{code:str}/reach"): edit_api(200),
    ("POST", "/api/v1/plans/{code:str}/reach"): EDIT_API,
    ("DELETE", "/api/v1/plans/{code:str}/reach/{figure:int}"): edit_api(404),
    ("GET", "/logga-in/sso"): everyone(404),
    ("GET", "/logga-in/sso/svar"): everyone(404),
    ("POST", "/logga-ut/sso"): everyone(404),
    ("GET", "/logga-ut/sso/klar"): everyone(404),
    ("POST", "/arbeta/enkater/{code:str}/ordning"): {**STAFF_POST, Role.COMMUNICATOR: 404, Role.ADMIN: 404},
    ("PUT", "/api/v1/questionnaires/{code:str}/details"): {
        **DESIGN_API,
        Role.COMMUNICATOR: 400,
        Role.ADMIN: 400,
    },
    ("DELETE", "/api/v1/plans/{code:str}"): edit_api(409),
    ("DELETE", "/api/v1/plans/{code:str}/goals/{id:int}"): everyone(404),
    ("DELETE", "/api/v1/plans/{code:str}/target-groups/{group:str}"): edit_api(409),
    ("DELETE", "/api/v1/plans/{code:str}/waves/{wave:str}"): edit_api(404),
    ("GET", "/api/v1/plans/{code:str}/file"): edit_api(200),
    ("GET", "/api/v1/plans/{code:str}/workbook"): edit_api(200),
    ("GET", "/arbeta/planer/las-in"): STAFF,
    ("GET", "/arbeta/planer/mall.toml"): STAFF,
    ("GET", "/arbeta/planer/mall.xlsx"): STAFF,
    ("GET", "/arbeta/planer/ny"): STAFF,
    ("GET", "/arbeta/planer/{code:str}/installningar"): STAFF,
    ("GET", "/arbeta/planer/{code:str}/plan.toml"): STAFF,
    ("GET", "/arbeta/planer/{code:str}/plan.xlsx"): STAFF,
    ("POST", "/api/v1/plan-files"): edit_api(422),
    ("POST", "/api/v1/plans"): edit_api(400),
    ("POST", "/api/v1/plans/{code:str}/activities/{activity:str}/archive"): edit_api(404),
    ("POST", "/api/v1/plans/{code:str}/activities/{activity:str}/restore"): edit_api(404),
    ("POST", "/api/v1/plans/{code:str}/archive"): edit_api(409),
    ("POST", "/api/v1/plans/{code:str}/channels/{channel:str}/archive"): edit_api(200),
    ("POST", "/api/v1/plans/{code:str}/channels/{channel:str}/restore"): edit_api(200),
    ("POST", "/api/v1/plans/{code:str}/goals"): edit_api(400),
    ("POST", "/api/v1/plans/{code:str}/official-organisations"): edit_api(400),
    ("POST", "/api/v1/plans/{code:str}/restore"): edit_api(200),
    ("POST", "/api/v1/plans/{code:str}/target-groups/{group:str}/archive"): edit_api(200),
    ("POST", "/api/v1/plans/{code:str}/target-groups/{group:str}/restore"): edit_api(200),
    ("POST", "/api/v1/plans/{code:str}/waves"): edit_api(400),
    ("POST", "/api/v1/plans/{code:str}/waves/{wave:str}/archive"): edit_api(404),
    ("POST", "/arbeta/omgangar/{slug:str}/arkivera"): STAFF_POST,
    ("POST", "/arbeta/omgangar/{slug:str}/ta-bort"): STAFF_POST,
    ("POST", "/arbeta/planer/las-in"): {**STAFF_POST, Role.COMMUNICATOR: 415, Role.ADMIN: 415},
    ("POST", "/arbeta/planer/las-in/genomfor"): {**STAFF_POST, Role.COMMUNICATOR: 400, Role.ADMIN: 400},
    ("POST", "/arbeta/planer/ny"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("POST", "/arbeta/planer/{code:str}/aktiviteter/{activity:str}/arkivera"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/arbeta/planer/{code:str}/aktiviteter/{activity:str}/aterstall"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
    ("POST", "/arbeta/planer/{code:str}/arkivera"): {**STAFF_POST, Role.COMMUNICATOR: 409, Role.ADMIN: 409},
    ("POST", "/arbeta/planer/{code:str}/aterstall"): STAFF_POST,
    ("POST", "/arbeta/planer/{code:str}/installningar"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("POST", "/arbeta/planer/{code:str}/kanaler/{channel:str}/arkivera"): STAFF_POST,
    ("POST", "/arbeta/planer/{code:str}/kanaler/{channel:str}/aterstall"): STAFF_POST,
    ("POST", "/arbeta/planer/{code:str}/mal"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("GET", "/arbeta/planer/{code:str}/effektmal"): STAFF,
    ("POST", "/arbeta/planer/{code:str}/effektmal"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("POST", "/arbeta/planer/{code:str}/mal/{goal:int}/ta-bort"): STAFF_POST,
    ("POST", "/arbeta/planer/{code:str}/malgrupper/{group:str}/arkivera"): STAFF_POST,
    ("POST", "/arbeta/planer/{code:str}/malgrupper/{group:str}/aterstall"): STAFF_POST,
    ("POST", "/arbeta/planer/{code:str}/malgrupper/{group:str}/ta-bort"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 409,
        Role.ADMIN: 409,
    },
    ("POST", "/arbeta/planer/{code:str}/organisationer/officiella"): {
        **STAFF_POST,
        Role.COMMUNICATOR: 422,
        Role.ADMIN: 422,
    },
    ("POST", "/arbeta/planer/{code:str}/ta-bort"): {**STAFF_POST, Role.COMMUNICATOR: 422, Role.ADMIN: 422},
    ("PUT", "/api/v1/plans/{code:str}"): EDIT_API,
    ("POST", "/resultat/{code:str}/moten/{meeting:int}/kommentarer"): {
        "anonymous": 303,
        Role.READER: 403,
        Role.COMMUNICATOR: 404,
        Role.ADMIN: 404,
    },
}
IGNORED_PREFIXES = ("/static", "/api/v1/schema")


def concrete(path: str, goal_id: int) -> str:
    values = {
        "{slug:str}": "testomgang",
        "{organisation:str}": "alby",
        "{code:str}": "testplan",
        "{goal:int}": str(goal_id),
        "{group:str}": "chefer",
        "{fmt:str}": "png" if "qr" in path else "xlsx",
        "{chart:str}": "ladder.svg",
        "{meeting:int}": "999",
        "{token:int}": "999",
        "{number:int}": "999",
        "{user:int}": "999",
        "{action:str}": "inaktivera",
        "{channel:str}": "intranat",
        "{activity:str}": "ingen-aktivitet",
        "{figure:int}": "999",
        "{question:str}": "kannedom",
    }
    for placeholder, value in values.items():
        path = path.replace(placeholder, value)
    return path


def app_routes() -> set[tuple[str, str]]:
    app = create_app(make_settings("sqlite:///unused.sqlite"), manage_database=False)
    found = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute) and not route.path.startswith(IGNORED_PREFIXES):
            for method in route.methods:
                if method not in ("HEAD", "OPTIONS"):
                    found.add((method, route.path))
    return found


def test_every_route_has_an_expected_outcome_for_every_role():
    assert app_routes() == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: getattr(r, "value", r))
async def test_each_role_gets_what_it_may(client, role):
    await make_wave()
    wrong = await walk_the_matrix(client, role, await sign_in(client, role) if role != "anonymous" else None)
    assert not wrong, f"(status, expected) for {role}: {wrong}"


# Roles granted per plan (server/scopes.py): the same walk by someone whose role covers only the matrix's
# plan, and by someone whose role covers only another plan.
SCOPED_ROLES = (Role.READER, Role.COMMUNICATOR)


def guard_roles() -> dict[tuple[str, str], Role]:
    """The role each guarded route's guard asks for."""
    app = create_app(make_settings("sqlite:///unused.sqlite"), manage_database=False)
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for guard in handler.resolve_guards():
                if getattr(guard, "needed_role", None) is not None:
                    found |= {(method, route.path): guard.needed_role for method in handler.http_methods}
    return found


def in_scope(role: Role) -> dict:
    """What a role granted the matrix's plan gets: the same as an unscoped role, except that making or
    importing plans and questionnaires needs a role covering every plan, and that the matrix's
    questionnaire code ("testplan") names no questionnaire, so a plan of it is not found: 404 before the
    body is read."""
    guarded = guard_roles()
    outcome = {}
    for route, expected in EXPECTED.items():
        if scopes.kind(*route) == "every-plan":
            outcome[route] = 403
        elif (
            scopes.kind(*route) == "path"
            and route[1].startswith(scopes.QUESTIONNAIRE_PREFIXES)
            and route in guarded
        ):
            outcome[route] = 404 if role.may(guarded[route]) else 403
        else:
            outcome[route] = expected[role]
    return outcome


def out_of_scope(role: Role) -> dict:
    """What a role granted only another plan gets on every guarded route that names a plan: 404, as for a
    plan that does not exist, unless the guard refused their role already (403)."""
    guarded = guard_roles()
    outcome = {}
    for route, expected in EXPECTED.items():
        kind = scopes.kind(*route)
        if route not in guarded or len(set(expected.values())) == 1:
            # Respondents' and public routes (nobody's plan to guard), and a route the matrix's address
            # never reaches (the same status for everyone, anonymous included).
            outcome[route] = expected[role]
        elif kind == "every-plan":
            outcome[route] = 403
        elif kind == "path":
            outcome[route] = 404 if role.may(guarded[route]) else 403
        else:
            outcome[route] = expected[role]
    return outcome


def organisation_scope(role: Role) -> dict:
    """What a role granted one organisation of the matrix's plan gets: the plan's waves (communicators)
    and published results; editing the plan is 403, and so are detailed results without naming the
    person's organisation (the matrix names none). What the matrix's address names but does not exist (a
    meeting, a reach figure, a questionnaire, a wave) is 404 before that."""
    guarded = guard_roles()
    whole = in_scope(role)
    missing = {"meeting", "figure", "wave"}
    outcome = {}
    for route, expected in whole.items():
        method, path = route
        named_plan = scopes.kind(*route) == "path" and route in guarded and role.may(guarded[route])
        reachable = len(set(EXPECTED[route].values())) > 1
        opened = (method, scopes.bare(path)) in scopes.ORGANISATION_ROUTES
        if not named_plan or not reachable:
            outcome[route] = expected
        elif path.startswith(scopes.QUESTIONNAIRE_PREFIXES) or missing & set(scopes.param_names(path)):
            outcome[route] = 404
        elif not opened or scopes.bare(path) in scopes.ORGANISATION_FILTERED:
            outcome[route] = 403
        else:
            outcome[route] = expected
    return outcome


@pytest.mark.parametrize("role", SCOPED_ROLES, ids=lambda r: r.value)
async def test_a_role_granted_one_organisation_runs_waves_and_reads_but_does_not_edit_the_plan(client, role):
    await make_wave()
    account = await sign_in_with_grants(client, role, ["testplan"], ["alby"])
    wrong = await walk_the_matrix(client, role, account, organisation_scope(role))
    assert not wrong, f"(status, expected) for {role} granted alby in testplan: {wrong}"


async def sign_in_with_grants(client, role: Role, plans: list[str], organisations: list[str] = ()):
    name = f"{role.value}-{uuid.uuid4().hex[:8]}@example.se"
    async with db.write_transaction():
        account = await create_user(
            name, "ett-langt-losenord", role, plans=plans, organisations=list(organisations)
        )
    page = await client.get("/logga-in")
    response = await client.post(
        "/logga-in",
        data={"_csrf_token": csrf_token(page.text), "username": name, "password": "ett-langt-losenord"},
    )
    assert response.status_code == 303, response.text
    return account


@pytest.mark.parametrize("role", SCOPED_ROLES, ids=lambda r: r.value)
async def test_a_role_granted_this_plan_gets_what_the_role_may(client, role):
    await make_wave()
    account = await sign_in_with_grants(client, role, ["testplan"])
    wrong = await walk_the_matrix(client, role, account, in_scope(role))
    assert not wrong, f"(status, expected) for {role} granted testplan: {wrong}"


@pytest.mark.parametrize("role", SCOPED_ROLES, ids=lambda r: r.value)
async def test_a_role_granted_another_plan_gets_nothing_of_this_one(client, role):
    await make_wave()
    other = copy.deepcopy(PLAN)
    other["plan"] = {"code": "annanplan", "title": "Annan plan"}
    async with db.write_transaction():
        await store_plan(parse_plan(other))
    account = await sign_in_with_grants(client, role, ["annanplan"])
    wrong = await walk_the_matrix(client, role, account, out_of_scope(role))
    assert not wrong, f"(status, expected) for {role} granted another plan: {wrong}"


async def walk_the_matrix(client, role, account, expected_here: dict | None = None) -> dict:
    """Every route of EXPECTED, as `role` (signed in as `account` on `client`, and with an API key of
    theirs); the routes whose status is not what `expected_here` (by default EXPECTED) says."""
    expected_here = expected_here or {route: expected[role] for route, expected in EXPECTED.items()}
    # Results (and so the charts) are published from a release; yesterday's leaves today's to the matrix.
    await release(day=date.today() - timedelta(days=1))
    goal_id = (await EffectGoal.select(EffectGoal.id).where(EffectGoal.plan.code == "testplan").first())["id"]
    headers = {}
    if account is not None:
        headers["authorization"] = f"Bearer {await create_token(account.id, 'matrix')}"
    # A respondent's form carries the visitor's token; a signed-in person's pages carry one bound to their
    # session (server/csrf.py).
    survey_token = csrf_token((await client.get("/e/testomgang")).text)
    token = survey_token if role == "anonymous" else csrf_token((await client.get("/konto")).text)
    outcomes = {}
    for method, path in sorted(EXPECTED, key=lambda route: route[0] == "POST"):
        url = concrete(path, goal_id)
        if method == "GET":
            response = await client.get(url, headers=headers if url.startswith("/api/") else {})
        elif url.startswith("/api/"):
            response = await client.request(method, url, json={"answers": {}}, headers=headers)
        elif url == "/logga-ut":
            continue  # checked last: it ends the session the other checks need
        else:
            data = {"_csrf_token": survey_token if url.startswith("/e/") else token}
            if url == "/logga-in":
                data |= {"username": "nobody@example.se", "password": "wrong-password-1"}
            response = await client.post(url, data=data)
        outcomes[(method, path)] = (response.status_code, expected_here[(method, path)])
    response = await client.post("/logga-ut", data={"_csrf_token": token})
    outcomes[("POST", "/logga-ut")] = (response.status_code, expected_here[("POST", "/logga-ut")])
    return {route: got for route, got in outcomes.items() if got[0] != got[1]}
