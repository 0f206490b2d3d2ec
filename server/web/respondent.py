"""The respondent's pages: the survey form, its submission, and the thank-you page."""

from __future__ import annotations

from html import escape

from litestar import MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from locales import current_locale
from locales import gettext as _
from server import clock
from server.errors import UserError
from server.locale import with_lang
from server.web.forms import field_value, read_form
from server.web.survey_page import QUESTION_PREFIX, build_fields
from surveys.errors import Invalid
from surveys.responding import submission as responding
from surveys.responding.submission import (
    CODE_FIELD,
    ORGANISATION_FIELD,
    TARGET_GROUP_FIELD,
    Sent,
    is_valid_submission_key,
    new_submission_key,
)
from surveys.responding.survey import survey_at
from surveys.waves.lookup import Choice, WaveForm, WaveStatus

KEY_FIELD = "submission_key"
CSRF_FIELD = "_csrf_token"
KNOWN_FIELDS = {KEY_FIELD, CSRF_FIELD, CODE_FIELD, ORGANISATION_FIELD, TARGET_GROUP_FIELD}


def _status_page(wave: WaveForm, status: WaveStatus, *, posted: bool = False) -> Template:
    code = 409 if posted else (410 if status is WaveStatus.CLOSED else 200)
    return Template("wave_status.html", context={"wave": wave, "status": status.value}, status_code=code)


def _form_page(
    request: Request,
    wave: WaveForm,
    fixed: Choice | None,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    submission_key: str | None = None,
) -> Template:
    errors = errors or {}
    fields = build_fields(wave, values or {}, errors, fixed_organisation=fixed)
    return Template(
        "survey.html",
        context={
            "wave": wave,
            "fields": fields,
            "errors": [f for f in fields if f.error],
            "organisation": fixed,
            "action": with_lang(request.url.path),
            "submission_key": submission_key or new_submission_key(),
            "minutes": wave.questionnaire.estimated_minutes,
        },
        status_code=422 if errors else 200,
    )


# An empty form is the same page for everyone but for two hidden fields, so it is rendered (and encoded) once
# per wave, organisation link and language, with markers where the CSRF token and the submission key go.
_TOKEN_MARK = "EFFEKTCSRFTOKENMARK0"
_KEY_MARK = "EFFEKTSUBMISSIONKEYMARK0"
_BLANK_FORMS_SIZE = 64
_blank_forms: dict[tuple, tuple[WaveForm, bytes]] = {}


def _blank_form(request: Request, wave: WaveForm, fixed: Choice | None) -> Response[bytes]:
    key = (wave.id, fixed, current_locale(), with_lang(request.url.path))
    cached = _blank_forms.get(key)
    # The worker keeps one WaveForm object while it holds the wave, so identity is the usual, cheap match;
    # equality catches a reloaded but unchanged wave, and anything changed renders again.
    page = None
    if cached and (cached[0] is wave or cached[0] == wave):
        page = cached[1]
        if cached[0] is not wave:
            _blank_forms[key] = (wave, page)
    if page is None:
        context = _form_page(request, wave, fixed, submission_key=_KEY_MARK).context
        context["csrf_input"] = f'<input type="hidden" name="{CSRF_FIELD}" value="{_TOKEN_MARK}" />'
        text = request.app.template_engine.get_template("survey.html").render(**context, request=request)
        page = text.encode()
        if len(_blank_forms) >= _BLANK_FORMS_SIZE:
            _blank_forms.clear()
        _blank_forms[key] = (wave, page)
    token = escape(ScopeState.from_scope(request.scope).csrf_token or "").encode()
    body = page.replace(_TOKEN_MARK.encode(), token, 1).replace(
        _KEY_MARK.encode(), new_submission_key().encode(), 1
    )
    return Response(body, media_type=MediaType.HTML)


@get("/e/{slug:str}", name="survey")
async def survey_form(request: Request, slug: FromPath[str], kod: FromQuery[str] = "") -> Response:
    wave, _fixed = await survey_at(slug)
    status = wave.status(clock.now())
    if status is not WaveStatus.OPEN:
        return _status_page(wave, status)
    if kod:
        # A code may come in the link (a personal QR code), so the respondent need not type it.
        return _form_page(request, wave, None, values={CODE_FIELD: [kod]})
    return _blank_form(request, wave, None)


@get("/e/{slug:str}/o/{organisation:str}", name="survey_for_organisation")
async def survey_form_for_organisation(
    request: Request, slug: FromPath[str], organisation: FromPath[str]
) -> Response:
    wave, fixed = await survey_at(slug, organisation)
    status = wave.status(clock.now())
    if status is not WaveStatus.OPEN:
        return _status_page(wave, status)
    return _blank_form(request, wave, fixed)


@post("/e/{slug:str}", status_code=303)
async def submit(request: Request, slug: FromPath[str]) -> Template | Redirect:
    return await _submit(request, slug, None)


@post("/e/{slug:str}/o/{organisation:str}", status_code=303)
async def submit_for_organisation(
    request: Request, slug: FromPath[str], organisation: FromPath[str]
) -> Template | Redirect:
    return await _submit(request, slug, organisation)


async def _submit(request: Request, slug: str, organisation: str | None) -> Template | Redirect:
    wave, fixed = await survey_at(slug, organisation)
    now = clock.now()
    status = wave.status(now)
    if status is not WaveStatus.OPEN:
        # submit() refuses it too; a person gets the page that says when the survey opens or that it closed.
        return _status_page(wave, status, posted=True)
    fields = await read_form(request)
    unknown = sorted(
        name for name in fields if name not in KNOWN_FIELDS and not name.startswith(QUESTION_PREFIX)
    )
    if unknown:
        raise UserError(
            400,
            _("Formuläret innehöll fält som enkäten inte känner till. Ladda om sidan och försök igen."),
        )
    key = field_value(fields, KEY_FIELD)
    if not is_valid_submission_key(key):
        # The page always sends one: without it, the form is broken, and a retry could be stored twice.
        raise UserError(400, _("Formuläret saknar en del som behövs. Ladda om sidan och försök igen."))
    answers = {
        name.removeprefix(QUESTION_PREFIX): v
        for name, v in fields.items()
        if name.startswith(QUESTION_PREFIX)
    }
    sent = Sent(
        answers,
        organisation=(fields.get(ORGANISATION_FIELD) or [None])[0],
        target_group=(fields.get(TARGET_GROUP_FIELD) or [None])[0],
        code=(fields.get(CODE_FIELD) or [None])[0],
        submission_key=key,
    )
    try:
        await responding.submit(wave, sent, now, link_organisation=fixed)
    except Invalid as exc:
        values = {**answers}
        for name in (CODE_FIELD, ORGANISATION_FIELD, TARGET_GROUP_FIELD):
            if name in fields:
                values[name] = fields[name]
        return _form_page(request, wave, fixed, values=values, errors=exc.errors, submission_key=key)
    return Redirect(path=with_lang(f"/e/{wave.slug}/tack"), status_code=303)


@get("/e/{slug:str}/tack", name="thanks")
async def thanks(slug: FromPath[str]) -> Template:
    wave, _fixed = await survey_at(slug)
    return Template("thanks.html", context={"wave": wave})


HANDLERS = [survey_form, survey_form_for_organisation, submit, submit_for_organisation, thanks]
