"""Questionnaires in the workspace: versions, a preview exactly as respondents see it, import and export."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

import locales
from locales import gettext as _
from server import clock
from server.errors import UserError
from server.scopes import questionnaires_in_scope
from server.sessions import requires_page, session_account
from server.web.forms import field_value, read_form
from server.web.survey_page import build_fields, content_language, language_choices, survey_texts
from surveys.accounts.scopes import covers_every_plan
from surveys.accounts.users import Role
from surveys.errors import Conflict
from surveys.plans.editing import plan_codes
from surveys.questionnaires.designer import TrendBreakNotConfirmed
from surveys.questionnaires.file_import import import_questionnaire
from surveys.questionnaires.model import QuestionnaireFileError
from surveys.questionnaires.removal import delete_questionnaire
from surveys.questionnaires.storage import questionnaire_list, version_to_show
from surveys.questionnaires.toml_file import to_toml
from surveys.waves.lookup import WaveForm

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
MAX_FILE = 256 * 1024


async def _list_page(
    request: Request,
    *,
    problems=(),
    breaks=(),
    saved="",
    plan="",
    removed="",
    removal_error: tuple[str, str] | None = None,
    status=200,
) -> Template:
    account = await session_account(request)
    return Template(
        "workspace/questionnaires.html",
        context={
            "account": account,
            # Only the person's plans' questionnaires; reading in a file is for a role covering every plan
            # (server/scopes.py, EVERY_PLAN), so the form is not offered to anyone else.
            "questionnaires": questionnaires_in_scope(account, await questionnaire_list()),
            "may_import": covers_every_plan(account),
            "plans": await plan_codes(),
            "plan": plan,
            "problems": list(problems),
            "breaks": list(breaks),
            "saved": saved,
            "removed": removed,
            # (questionnaire code, why it was not deleted): shown at that questionnaire.
            "removal_error": removal_error,
        },
        status_code=status,
    )


@get("/arbeta/enkater", guards=COMMUNICATOR)
async def questionnaires_page(request: Request, borttagen: FromQuery[str] = "") -> Template:
    return await _list_page(request, removed=borttagen)


@post("/arbeta/enkater/{code:str}/ta-bort", guards=COMMUNICATOR, status_code=303)
async def remove(request: Request, code: FromPath[str]) -> Template | Redirect:
    if field_value(await read_form(request), "confirm") != "ja":
        message = _("Kryssa i rutan först: det går inte att ångra.")
        return await _list_page(request, removal_error=(code, message), status=422)
    try:
        title = await delete_questionnaire(code)
    except Conflict as refused:
        return await _list_page(request, removal_error=(code, refused.message), status=409)
    return Redirect(path="/arbeta/enkater", query_params={"borttagen": title}, status_code=303)


@post("/arbeta/enkater", guards=COMMUNICATOR, status_code=200, request_max_body_size=MAX_FILE + 64 * 1024)
async def upload(request: Request) -> Template:
    if request.content_type[0] != "multipart/form-data":
        raise UserError(415, _("Välj en fil att läsa in."))
    form = await request.form()
    file = form.get("file")
    plan = form.get("plan") if isinstance(form.get("plan"), str) else ""
    if not isinstance(file, UploadFile) or not file.filename:
        return await _list_page(
            request, problems=[_("Välj en enkätfil (TOML) att läsa in.")], plan=plan, status=422
        )
    try:
        definition = await import_questionnaire(
            await file.read(), confirm_trend_break=form.get("confirm") == "ja", plan_code=plan
        )
    except QuestionnaireFileError as exc:
        return await _list_page(request, problems=exc.problems, plan=plan, status=422)
    except TrendBreakNotConfirmed as exc:
        # Not a failure but a question to the person: the page asks them to confirm.
        return await _list_page(request, breaks=exc.codes, plan=plan, status=409)
    return await _list_page(request, saved=definition.title, plan=plan)


@get("/arbeta/enkater/{code:str}/export", guards=COMMUNICATOR)
async def export(code: FromPath[str]) -> Response:
    _version_id, definition = await version_to_show(code)
    return Response(
        to_toml(definition).encode(),
        media_type="application/toml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{code}.toml"'},
    )


@get("/arbeta/enkater/{code:str}/version/{number:int}", guards=COMMUNICATOR)
async def preview(
    request: Request, code: FromPath[str], number: FromPath[int], lang: FromQuery[str] = ""
) -> Template:
    """The version as a respondent sees it, in the language ?lang= names if the version has it."""
    version_id, definition = await version_to_show(code, number)
    now = clock.now()
    wave = WaveForm(
        id=0,
        slug="",
        title=definition.title,
        intro=definition.intro,
        plan_title="",
        opens_at=now,
        closes_at=now,
        closed_early=False,
        uses_codes=False,
        version_id=version_id,
        questionnaire=definition,
        organisations=(),
        target_groups=(),
    )
    if lang in definition.languages and lang not in locales.SUPPORTED:
        locales.set_locale("sv")  # no catalogue for the page around it: Swedish, as for respondents
    language = content_language(wave, lang, locales.current_locale())
    fields = build_fields(wave, {}, {}, fixed_organisation=None, language=language)
    return Template(
        "survey.html",
        context={
            "wave": wave,
            "texts": survey_texts(wave, language),
            "languages": language_choices(wave, language, request.url.path, {}),
            "answering": None,
            "fields": fields,
            "errors": [],
            "organisation": None,
            "action": "",
            "submission_key": "",
            "minutes": definition.estimated_minutes,
            "preview": True,
        },
    )


HANDLERS = [questionnaires_page, remove, upload, export, preview]
