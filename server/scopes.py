"""Which plan a request touches, read from its route, and the one scope check every guard makes.

Every guarded route is in exactly one of these kinds (tests/server/test_scopes_routes.py walks the app and
fails on a route that is not):

- plan-less (`PLANLESS`): the account page, the administrator's pages, lists (which filter themselves
  through `surveys.accounts.scopes`), templates and the question bank;
- for a role covering every plan only (`EVERY_PLAN`): making or importing plans and questionnaires, which
  would otherwise reach past the person's plans;
- the plan comes from the form (`FORM_PLAN`): a new wave, whose handler checks the chosen plan;
- everything else names its plan in the path: a plan code, a questionnaire code, a wave slug, a meeting, a
  goal or a reach figure (`PLAN_PARAMS`), beside parameters that are looked up within that plan
  (`WITHIN_PLAN`).

Outside the person's plans a request gets `NotFound`, the same answer as for a plan that does not exist,
so nobody learns which plans exist. An organisation grant opens only the routes in `ORGANISATION_ROUTES`;
the detailed results among them (`ORGANISATION_FILTERED`) only for the person's own organisations.
Anything else in the plan is `Forbidden` for them (docs/security.md, "Behörighet per plan").
"""

from __future__ import annotations

import re
from dataclasses import replace

from litestar.connection import ASGIConnection

from locales import gettext as _
from surveys.accounts import scopes
from surveys.accounts.users import Account, Role
from surveys.db.tables import EffectGoal, Meeting, Questionnaire, ReachFigure, Wave
from surveys.errors import Forbidden, NotFound

REACH_KEY = "effekt_reach"
_TYPED = re.compile(r"\{(\w+):[^}]*\}")

# Guarded routes that touch no single plan. Lists among them show only the person's plans.
PLANLESS = {
    "/arbeta",
    "/resultat",
    "/konto",
    "/konto/losenord",
    "/konto/nycklar",
    "/konto/nycklar/{token}/aterkalla",
    "/admin/anvandare",
    "/admin/anvandare/{user}",
    "/admin/anvandare/{user}/{action}",
    "/admin/logg",
    "/admin/logg.csv",
    "/api/v1/me",
    "/api/v1/plans",  # GET lists the person's plans; POST (a new plan) is in EVERY_PLAN
    "/api/v1/bank",
    "/arbeta/fragebank",
    "/arbeta/enkater",  # GET lists questionnaires; POST (an upload) is in EVERY_PLAN
    "/arbeta/planer/mall.xlsx",
    "/arbeta/planer/mall.toml",
}

# (method, route) that need a role covering every plan: what they make or overwrite is not yet any plan's.
EVERY_PLAN = {
    ("POST", "/api/v1/plans"),
    ("POST", "/api/v1/plan-files"),
    ("POST", "/api/v1/questionnaires"),
    ("POST", "/arbeta/enkater"),
    ("GET", "/arbeta/planer/ny"),
    ("POST", "/arbeta/planer/ny"),
    ("GET", "/arbeta/planer/las-in"),
    ("POST", "/arbeta/planer/las-in"),
    ("POST", "/arbeta/planer/las-in/genomfor"),
}

# Routes whose plan is a query parameter (GET) or a form field (POST) of this name; the handler checks
# the form's plan with `check_plan`.
FORM_PLAN = {"/arbeta/omgangar/ny": "plan", "/arbeta/enkater/ny": "plan"}

# Path parameters that name a plan, directly or through what they belong to.
QUESTIONNAIRE_PREFIXES = ("/arbeta/enkater/", "/api/v1/questionnaires/")
PLAN_PARAMS = {"code", "slug", "wave", "meeting", "goal", "id", "figure"}
# Path parameters looked up inside the plan the route names (a target group's code in that plan, …).
WITHIN_PLAN = {
    "group",
    "channel",
    "activity",
    "organisation",
    "question",
    "chart",
    "fmt",
    "number",
    "action",
}

# What an organisation grant opens, by role: running the plan's waves (communicators) and the plan's
# published results (readers and communicators). Editing the plan itself needs a grant for the whole plan.
_READ = [
    "/resultat/{code}",
    "/resultat/{code}/visning",
    "/resultat/{code}/visning/{group}",
    "/resultat/{code}/malgrupper/{group}",
    "/resultat/{code}/malgrupper/{group}/diagram/{chart}",
    "/resultat/{code}/rackvidd",
    "/resultat/{code}/aktiviteter",
    "/resultat/{code}/moten",
    "/resultat/{code}/moten/{meeting}",
    "/resultat/{code}/moten/{meeting}/motespaket/{fmt}",
    "/resultat/{code}/export/{fmt}",
    "/resultat/{code}/fragor",
    "/resultat/{code}/fragor/korstabell",
    "/resultat/{code}/fragor/{question}/fritext",
    "/api/v1/plans/{code}/results",
    "/api/v1/plans/{code}/planning",
    "/api/v1/plans/{code}/questions",
    "/api/v1/plans/{code}/questions/crosstab",
    "/api/v1/plans/{code}/questions/{question}/texts",
    "/api/v1/plans/{code}/reach/trend",
]
_RUN = [
    ("GET", "/arbeta/omgangar/{slug}"),
    ("GET", "/arbeta/omgangar/{slug}/qr/{fmt}"),
    ("POST", "/arbeta/omgangar/{slug}/stang"),
    ("POST", "/arbeta/omgangar/{slug}/ateroppna"),
    ("POST", "/arbeta/omgangar/{slug}/koder"),
]
ORGANISATION_ROUTES = {("GET", path) for path in _READ} | set(_RUN)
# Detailed results (free-text answers, cross-tabulations): only with `?organisation=` one of the person's
# own organisations, so the numbers and texts shown are that organisation's.
ORGANISATION_FILTERED = {
    "/resultat/{code}/fragor/korstabell",
    "/resultat/{code}/fragor/{question}/fritext",
    "/api/v1/plans/{code}/questions/crosstab",
    "/api/v1/plans/{code}/questions/{question}/texts",
}


def bare(template: str) -> str:
    """A route template without parameter types, as Litestar puts it in the request's scope:
    "/resultat/{code:str}" → "/resultat/{code}"."""
    return _TYPED.sub(r"{\1}", template)


def param_names(template: str) -> list[str]:
    """The path parameters of a route template: "/a/{code:str}/b/{goal:int}" → ["code", "goal"]."""
    return [part[1:-1].split(":")[0] for part in template.split("/") if part.startswith("{")]


def kind(method: str, template: str) -> str:
    """How the route's plan is found: "planless", "every-plan", "form", "path" or "unknown" (a route
    this module does not know how to map to a plan; the guards refuse it to anyone with grants)."""
    template = bare(template)
    if (method, template) in EVERY_PLAN:
        return "every-plan"
    if template in PLANLESS:
        return "planless"
    if template in FORM_PLAN:
        return "form"
    names = set(param_names(template))
    if names & PLAN_PARAMS and names <= PLAN_PARAMS | WITHIN_PLAN:
        return "path"
    return "unknown"


def _is_questionnaire_route(template: str) -> bool:
    return template.startswith(QUESTIONNAIRE_PREFIXES)


async def _plan_of(name: str, value, template: str) -> str | None:
    """The code of the plan that path parameter `name` = `value` belongs to; None when nothing has it."""
    if name == "code" and not _is_questionnaire_route(template):
        return str(value)
    if name == "code":
        row = (
            await Questionnaire.select(Questionnaire.plan.code.as_alias("plan"))
            .where(Questionnaire.code == value)
            .first()
        )
    elif name in ("slug", "wave"):
        row = await Wave.select(Wave.plan.code.as_alias("plan")).where(Wave.slug == value).first()
    elif name == "meeting":
        row = await Meeting.select(Meeting.plan.code.as_alias("plan")).where(Meeting.id == int(value)).first()
    elif name in ("goal", "id"):
        row = (
            await EffectGoal.select(EffectGoal.plan.code.as_alias("plan"))
            .where(EffectGoal.id == int(value))
            .first()
        )
    elif name == "figure":
        row = (
            await ReachFigure.select(ReachFigure.plan.code.as_alias("plan"))
            .where(ReachFigure.id == int(value))
            .first()
        )
    else:
        return None
    return row["plan"] if row and row["plan"] else None


async def plan_of_route(template: str, params: dict) -> str | None:
    """The one plan a request's path names, or None: nothing found, or its parameters name different
    plans (a goal of plan A under plan B's address)."""
    found = {
        await _plan_of(name, params.get(name), template)
        for name in param_names(template)
        if name in PLAN_PARAMS
    }
    if len(found) != 1 or None in found:
        return None
    return found.pop()


def not_in_scope() -> NotFound:
    # The same answer for a plan outside the person's grants as for one that does not exist.
    return NotFound(_("Det finns inget här, eller så ingår det inte i din behörighet."))


def _organisation_only() -> Forbidden:
    return Forbidden(
        _(
            "Din behörighet gäller bara vissa organisationer i planen. Det här kräver behörighet för hela "
            "planen; be en administratör."
        )
    )


def _every_plan_only() -> Forbidden:
    return Forbidden(_("Det här kräver en roll som gäller alla planer; be en administratör."))


def check(account: Account, role: Role, method: str, template: str, plan: str | None, query: dict) -> None:
    """The scope rule at a door: `plan` is what the route names (None: nothing found). Raises `NotFound`
    outside the person's plans and `Forbidden` where an organisation grant is not enough."""
    if scopes.covers_every_plan(account):
        return
    template = bare(template)
    route_kind = kind(method, template)
    if route_kind in ("planless", "form"):
        return
    if route_kind != "path":
        raise _every_plan_only()
    if plan is None or not scopes.sees_plan(account, plan):
        raise not_in_scope()
    covered = scopes.reach(account, plan)
    if covered is scopes.WHOLE_PLAN:
        return
    if (method, template) not in ORGANISATION_ROUTES:
        raise _organisation_only()
    if template in ORGANISATION_FILTERED and query.get("organisation", "").strip() not in covered:
        raise Forbidden(
            _("Du ser de detaljerade resultaten bara för din organisation. Välj den: %(codes)s.")
            % {"codes": ", ".join(sorted(covered))}
        )


async def check_connection(connection: ASGIConnection, account: Account, role: Role) -> None:
    """The guards' call: find the route's plan (only for someone with grants) and apply `check`."""
    if scopes.covers_every_plan(account):
        return
    template = bare(connection.scope.get("path_template", ""))
    method = connection.scope.get("method", "GET")
    plan = None
    if kind(method, template) == "path":
        plan = await plan_of_route(template, dict(connection.path_params))
    elif template in FORM_PLAN and method == "GET":
        chosen = connection.query_params.get(FORM_PLAN[template], "")
        if chosen:
            check_plan(account, role, chosen)
    check(account, role, method, template, plan, dict(connection.query_params))
    if plan is not None:
        # What of the plan the person may see, for handlers that narrow what they show (`reach_of`).
        connection.scope.setdefault("state", {})[REACH_KEY] = scopes.reach(account, plan)


def check_plan(account: Account, role: Role, plan: str) -> None:
    """For a plan chosen in a form: the account's role must cover the whole plan (`NotFound` outside its
    plans, `Forbidden` for an organisation grant)."""
    if scopes.may_act(account, role, plan):
        return
    if scopes.sees_plan(account, plan):
        raise _organisation_only()
    raise not_in_scope()


async def check_questionnaire(account: Account, role: Role, code: str) -> None:
    """For a questionnaire named in a form (the one a new questionnaire copies): it must be in one of the
    account's plans, or the account's role must cover every plan (a questionnaire of no plan)."""
    if scopes.covers_every_plan(account) and account.role.may(role):
        return
    plan = await _plan_of("code", code, QUESTIONNAIRE_PREFIXES[0])
    if plan is None or not scopes.sees_plan(account, plan):
        raise not_in_scope()
    check_plan(account, role, plan)


def may_open_sync(account: Account, method: str, template: str, params: dict) -> bool:
    """Whether the person's grants let them open a page, without the database (where to land after signing
    in, the start page's links): pages named by a plan code are checked, other plan pages are not offered
    to someone with grants."""
    if scopes.covers_every_plan(account):
        return True
    template = bare(template)
    route_kind = kind(method, template)
    if route_kind in ("planless", "form"):
        return True
    names = set(param_names(template))
    if route_kind != "path" or _is_questionnaire_route(template) or names & PLAN_PARAMS != {"code"}:
        return False
    covered = scopes.reach(account, str(params.get("code", "")))
    if covered is scopes.WHOLE_PLAN:
        return True
    return (
        bool(covered) and (method, template) in ORGANISATION_ROUTES and template not in ORGANISATION_FILTERED
    )


def in_scope(account: Account | None, items: list, code=lambda item: item[0]) -> list:
    """The items of a list (plans, waves …) whose plan the account sees; `code` reads an item's plan code
    (by default the first of a (code, title) pair)."""
    if account is None or scopes.covers_every_plan(account):
        return list(items)
    return [item for item in items if scopes.sees_plan(account, code(item))]


def questionnaires_in_scope(account: Account | None, questionnaires: list) -> list:
    """The questionnaires (summaries with a `plan` code, "" for none) of the account's plans; one of no plan
    only for a role covering every plan, as `check_questionnaire` decides for a single one."""
    return in_scope(account, questionnaires, code=lambda q: q.plan)


def reach_of(connection: ASGIConnection) -> frozenset[str] | None:
    """The organisations (codes) of the route's plan the person's grants cover, as the guard found them;
    None for the whole plan (no grants, a plan-wide grant, or an administrator)."""
    return connection.scope.get("state", {}).get(REACH_KEY, scopes.WHOLE_PLAN)


def narrow_progress(connection: ASGIConnection, wave, progress):
    """A wave's live progress as an organisation grant may see it: only its own organisations' rows, and
    the totals (which would give away the other organisations' sum) hidden."""
    covered = reach_of(connection)
    if covered is scopes.WHOLE_PLAN:
        return progress
    names = {o.name for o in wave.organisations if o.code in covered}
    hidden = type(progress.total)(None, None, None)
    return replace(
        progress,
        rows=tuple(row for row in progress.rows if row.label in names),
        totals=tuple(hidden for _cell in progress.totals),
        total=hidden,
    )
