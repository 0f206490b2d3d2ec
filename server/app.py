"""The Litestar application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from server import errors
from server.api import designer as api_designer
from server.api import plans as api_plans
from server.api import questions as api_questions
from server.api import reach as api_reach
from server.api import results as api_results
from server.api import waves as api_waves
from server.api import whoami as api_whoami
from server.csrf import CsrfMiddleware
from server.front_door import EffektApp
from server.sessions import session_config
from server.settings import Settings
from server.templating import make_environment
from server.web import (
    account,
    audit,
    designer,
    health,
    home,
    login,
    meetings,
    plan_setup,
    plans,
    question_results,
    questionnaires,
    reach,
    respondent,
    results,
    sso,
    statements,
    workspace,
)
from surveys.accounts import audit as audit_log
from surveys.db import engine as db
from surveys.errors import DomainError

STATIC = Path(__file__).resolve().parent / "static"


def _actor_per_request(app: ASGIApp) -> ASGIApp:
    """Whoever a request's guard lets in is the actor of what that request changes, and of nothing after
    it: the actor is put back when the request ends, also where requests share a task (a test's client)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        with audit_log.acting(audit_log.NOT_SIGNED_IN):
            await app(scope, receive, send)

    return middleware


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Litestar:
    """Build the app. `manage_database=False` leaves engine and pool to the caller (tests, CLI)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        db.use_database(settings.database_url)
        pending = await db.pending_migrations()
        if pending:
            raise RuntimeError("the database needs migrating first: run `effekt migrate`")
        pooled = await db.start_pool()
        # Everything loaded at start-up (the libraries, the templates, the catalogues) lives as long as the
        # worker: taken out of the garbage collector's view, a full collection no longer walks it, which
        # otherwise shows up as a pause of tens of milliseconds in the slowest answers.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if pooled:
                await db.close_pool()

    html = Router(
        path="/",
        include_in_schema=False,
        route_handlers=[
            home.start_page,
            *respondent.HANDLERS,
            *login.HANDLERS,
            *workspace.HANDLERS,
            *results.HANDLERS,
            *question_results.HANDLERS,
            *statements.HANDLERS,
            *meetings.HANDLERS,
            *health.HANDLERS,
            *account.HANDLERS,
            *audit.HANDLERS,
            *reach.HANDLERS,
            *questionnaires.HANDLERS,
            *designer.HANDLERS,
            *plans.HANDLERS,
            *plan_setup.HANDLERS,
            *sso.HANDLERS,
        ],
    )
    api = Router(
        path="/api/v1",
        route_handlers=[
            *api_waves.HANDLERS,
            *api_results.HANDLERS,
            *api_questions.HANDLERS,
            *api_plans.HANDLERS,
            *api_reach.HANDLERS,
            *api_designer.HANDLERS,
            *api_whoami.HANDLERS,
        ],
    )
    return EffektApp(
        route_handlers=[
            html,
            api,
            create_static_files_router(path="/static", directories=[STATIC], cache_control=None),
        ],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment())),
        middleware=[
            _actor_per_request,
            # The session first: the CSRF check binds a signed-in person's token to their session.
            session_config(settings).middleware,
            DefineMiddleware(CsrfMiddleware, secret=settings.secret_key, secure=settings.https),
        ],
        lifespan=[database],
        request_max_body_size=settings.max_body_bytes,
        exception_handlers={
            HTTPException: errors.http_error,
            DomainError: errors.domain_error,
            Exception: errors.server_error,
        },
        openapi_config=OpenAPIConfig(
            title="effekt API",
            version="1",
            path="/api/v1/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        # The single sign-on client (None when off) keeps the provider's metadata and keys per worker.
        state=State({"settings": settings, "oidc": sso.oidc_client(settings)}),
        debug=False,
        logging_config=None,  # logging is set up once by `effekt serve` (JSON lines), not per app
    )
