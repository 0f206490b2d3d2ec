"""Questionnaires in the workspace: versions, a preview exactly as respondents see it, import and export."""

from __future__ import annotations

import tomllib

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from locales import gettext as _
from server import clock
from server.errors import UserError
from server.sessions import requires_page, session_account
from server.web.survey_page import build_fields
from surveys.accounts.users import Role
from surveys.db.engine import write_transaction
from surveys.questionnaires.model import QuestionnaireFileError, parse_questionnaire
from surveys.questionnaires.storage import questionnaire_list, store_questionnaire, version_of
from surveys.questionnaires.toml_file import to_toml, trend_breaks
from surveys.waves.lookup import WaveForm

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
MAX_FILE = 256 * 1024


async def _list_page(request: Request, *, problems=(), breaks=(), saved="", status=200) -> Template:
    return Template(
        "workspace/questionnaires.html",
        context={
            "account": await session_account(request),
            "questionnaires": await questionnaire_list(),
            "problems": list(problems),
            "breaks": list(breaks),
            "saved": saved,
        },
        status_code=status,
    )


@get("/arbeta/enkater", guards=COMMUNICATOR)
async def questionnaires_page(request: Request) -> Template:
    return await _list_page(request)


@post("/arbeta/enkater", guards=COMMUNICATOR, status_code=200, request_max_body_size=MAX_FILE + 64 * 1024)
async def upload(request: Request) -> Template:
    if request.content_type[0] != "multipart/form-data":
        raise UserError(415, _("Välj en fil att läsa in."))
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return await _list_page(request, problems=[_("Välj en enkätfil (TOML) att läsa in.")], status=422)
    data = await file.read()
    try:
        definition = parse_questionnaire(tomllib.loads(data.decode("utf-8-sig")))
    except UnicodeDecodeError:
        return await _list_page(request, problems=[_("Filen måste vara sparad som UTF-8.")], status=422)
    except tomllib.TOMLDecodeError as exc:
        return await _list_page(
            request, problems=[_("Filen är inte giltig TOML (%(error)s).") % {"error": exc}], status=422
        )
    except QuestionnaireFileError as exc:
        return await _list_page(request, problems=exc.problems, status=422)
    previous = await version_of(definition.code)
    changed = trend_breaks(previous[1], definition) if previous else []
    if changed and form.get("confirm") != "ja":
        return await _list_page(request, breaks=changed, status=409)
    async with write_transaction():
        await store_questionnaire(definition)
    return await _list_page(request, saved=definition.title)


@get("/arbeta/enkater/{code:str}/export", guards=COMMUNICATOR)
async def export(code: FromPath[str]) -> Response:
    found = await version_of(code)
    if found is None:
        raise UserError(404, _("Det finns ingen enkät med koden %(code)s.") % {"code": code})
    return Response(
        to_toml(found[1]).encode(),
        media_type="application/toml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{code}.toml"'},
    )


@get("/arbeta/enkater/{code:str}/version/{number:int}", guards=COMMUNICATOR)
async def preview(request: Request, code: FromPath[str], number: FromPath[int]) -> Template:
    found = await version_of(code, number)
    if found is None:
        raise UserError(404, _("Versionen finns inte."))
    version_id, definition = found
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
    fields = build_fields(wave, {}, {}, fixed_organisation=None)
    return Template(
        "survey.html",
        context={
            "wave": wave,
            "fields": fields,
            "errors": [],
            "organisation": None,
            "action": "",
            "submission_key": "",
            "minutes": definition.estimated_minutes,
            "preview": True,
        },
    )


HANDLERS = [questionnaires_page, upload, export, preview]
