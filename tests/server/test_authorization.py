"""Every route has an expected outcome for anonymous people, läsare, kommunikatörer and admins.

A new route without an entry here fails the first test, so nobody forgets to decide who may use it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from litestar.routes import HTTPRoute

from server.app import create_app
from surveys.accounts.users import Role, create_token
from surveys.db.tables import EffectGoal
from tests.conftest import make_settings
from tests.support import csrf_token, make_wave, release, sign_in

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
    # Results (and so the charts) are published from a release; yesterday's leaves today's to the matrix.
    await release(day=date.today() - timedelta(days=1))
    goal_id = (await EffectGoal.select(EffectGoal.id).first())["id"]
    headers = {}
    if role != "anonymous":
        account = await sign_in(client, role)
        headers["authorization"] = f"Bearer {await create_token(account.id, 'matrix')}"
    # A respondent's form carries the visitor's token; a signed-in person's pages carry one bound to their
    # session (server/csrf.py).
    survey_token = csrf_token((await client.get("/e/testomgang")).text)
    token = survey_token if role == "anonymous" else csrf_token((await client.get("/konto")).text)
    outcomes = {}
    for (method, path), expected in sorted(EXPECTED.items(), key=lambda item: item[0][0] == "POST"):
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
        outcomes[(method, path)] = (response.status_code, expected[role])
    response = await client.post("/logga-ut", data={"_csrf_token": token})
    outcomes[("POST", "/logga-ut")] = (response.status_code, EXPECTED[("POST", "/logga-ut")][role])
    wrong = {route: got for route, got in outcomes.items() if got[0] != got[1]}
    assert not wrong, f"(status, expected) for {role}: {wrong}"
