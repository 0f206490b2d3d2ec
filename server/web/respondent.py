"""The respondent's pages: the survey form, its submission, and the thank-you page (the receipt).

A form sent a second time (a double click, a reload, the back button) stores nothing new and shows the
receipt: the form's one-time token does it when the same form is sent again, and the receipt leaves a
cookie, for this survey only, so that the back button brings the receipt back rather than the form with
the answers the browser kept. The cookie says only that this browser has answered; a person who wants to
answer on the same browser after someone else is offered the form again.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

import locales
from locales import current_locale
from locales import gettext as _
from server import clock
from server.errors import UserError
from server.locale import with_lang
from server.web.forms import field_value, read_form
from server.web.survey_page import (
    QUESTION_PREFIX,
    answering_as,
    build_fields,
    content_language,
    language_choices,
    survey_texts,
)
from surveys.errors import Invalid
from surveys.questionnaires.model import LANGUAGES, OTHER_LANGUAGES
from surveys.responding import submission as responding
from surveys.responding.submission import (
    CODE_FIELD,
    ORGANISATION_FIELD,
    TARGET_GROUP_FIELD,
    TOKEN_DAYS,
    Sent,
    Stored,
    is_valid_submission_key,
    new_submission_key,
)
from surveys.responding.survey import survey_at
from surveys.waves.lookup import Choice, WaveForm, WaveStatus

KEY_FIELD = "submission_key"
CSRF_FIELD = "_csrf_token"
KNOWN_FIELDS = {KEY_FIELD, CSRF_FIELD, CODE_FIELD, ORGANISATION_FIELD, TARGET_GROUP_FIELD}
SENT_COOKIE = "effekt_skickat"


def _status_page(wave: WaveForm, status: WaveStatus, *, posted: bool = False) -> Template:
    code = 409 if posted else (410 if status is WaveStatus.CLOSED else 200)
    return Template("wave_status.html", context={"wave": wave, "status": status.value}, status_code=code)


def _language(request: Request, wave: WaveForm) -> str:
    """The questionnaire's language for this request (?lang=). The page around it follows ?lang= for the
    languages it has catalogues for (Swedish, English) and stays Swedish for finska, meänkieli and
    nordsamiska, whose texts only the questionnaire has."""
    asked = request.query_params.get("lang", "")
    if asked in OTHER_LANGUAGES and asked not in locales.SUPPORTED and asked in wave.questionnaire.languages:
        locales.set_locale("sv")
    return content_language(wave, asked, current_locale())


def _with_language(request: Request, path: str, **query: str) -> str:
    """`path` keeping the language the respondent chose (?lang=), and `query`, in links and the form."""
    pairs = [(name, value) for name, value in query.items() if value]
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        pairs.insert(0, ("lang", asked))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _form_page(
    request: Request,
    wave: WaveForm,
    fixed: Choice | None,
    *,
    language: str,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    submission_key: str | None = None,
) -> Template:
    errors = errors or {}
    values = values or {}
    fields = build_fields(wave, values, errors, fixed_organisation=fixed, language=language)
    organisation = fixed or (wave.organisations[0] if len(wave.organisations) == 1 else None)
    organisation = organisation or wave.organisation((values.get(ORGANISATION_FIELD) or [""])[0])
    group = wave.target_groups[0] if len(wave.target_groups) == 1 else None
    group = group or wave.target_group((values.get(TARGET_GROUP_FIELD) or [""])[0])
    query = {"kod": request.query_params.get("kod", "")}
    return Template(
        "survey.html",
        context={
            "wave": wave,
            "texts": survey_texts(wave, language),
            "languages": language_choices(wave, language, request.url.path, query),
            "answering": answering_as(organisation, group, language),
            "fields": fields,
            "errors": [f for f in fields if f.error],
            "organisation": fixed,
            "action": _with_language(request, request.url.path),
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


def _blank_form(request: Request, wave: WaveForm, fixed: Choice | None, language: str) -> Response[bytes]:
    key = (wave.id, fixed, current_locale(), language, _with_language(request, request.url.path))
    cached = _blank_forms.get(key)
    # The worker keeps one WaveForm object while it holds the wave, so identity is the usual, cheap match;
    # equality catches a reloaded but unchanged wave, and anything changed renders again.
    page = None
    if cached and (cached[0] is wave or cached[0] == wave):
        page = cached[1]
        if cached[0] is not wave:
            _blank_forms[key] = (wave, page)
    if page is None:
        context = _form_page(request, wave, fixed, language=language, submission_key=_KEY_MARK).context
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


def _sent_cookie(request: Request, wave: WaveForm, *, forget: bool = False) -> Cookie:
    """ "This browser has answered this survey", for as long as a sent form's token is remembered."""
    return Cookie(
        key=SENT_COOKIE,
        value="" if forget else "1",
        path=f"/e/{wave.slug}",
        max_age=0 if forget else TOKEN_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=bool(request.app.state.settings.https),
    )


async def _form_or_receipt(
    request: Request, wave: WaveForm, fixed: Choice | None, *, again: str, kod: str
) -> Response:
    status = wave.status(clock.now())
    if status is not WaveStatus.OPEN:
        return _status_page(wave, status)
    language = _language(request, wave)
    if again:
        # "Answer once more" on the receipt: forgotten here, then the form at an address the back button
        # can come back to without skipping the receipt.
        target = _with_language(request, request.url.path, kod=kod)
        return Redirect(path=target, status_code=303, cookies=[_sent_cookie(request, wave, forget=True)])
    if request.cookies.get(SENT_COOKIE):
        return _receipt(request, wave, language, already_sent=True, fixed=fixed)
    if kod:
        # A code may come in the link (a personal QR code), so the respondent need not type it.
        return _form_page(request, wave, fixed, language=language, values={CODE_FIELD: [kod]})
    return _blank_form(request, wave, fixed, language)


@get("/e/{slug:str}", name="survey")
async def survey_form(
    request: Request, slug: FromPath[str], kod: FromQuery[str] = "", igen: FromQuery[str] = ""
) -> Response:
    wave, fixed = await survey_at(slug)
    return await _form_or_receipt(request, wave, fixed, again=igen, kod=kod)


@get("/e/{slug:str}/o/{organisation:str}", name="survey_for_organisation")
async def survey_form_for_organisation(
    request: Request, slug: FromPath[str], organisation: FromPath[str], igen: FromQuery[str] = ""
) -> Response:
    wave, fixed = await survey_at(slug, organisation)
    return await _form_or_receipt(request, wave, fixed, again=igen, kod="")


@post("/e/{slug:str}", status_code=303)
async def submit(request: Request, slug: FromPath[str]) -> Response:
    return await _submit(request, slug, None)


@post("/e/{slug:str}/o/{organisation:str}", status_code=303)
async def submit_for_organisation(
    request: Request, slug: FromPath[str], organisation: FromPath[str]
) -> Response:
    return await _submit(request, slug, organisation)


async def _submit(request: Request, slug: str, organisation: str | None) -> Response:
    wave, fixed = await survey_at(slug, organisation)
    now = clock.now()
    status = wave.status(now)
    if status is not WaveStatus.OPEN:
        # submit() refuses it too; a person gets the page that says when the survey opens or that it closed.
        return _status_page(wave, status, posted=True)
    language = _language(request, wave)
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
        stored = await responding.submit(wave, sent, now, link_organisation=fixed)
    except Invalid as exc:
        values = {**answers}
        for name in (CODE_FIELD, ORGANISATION_FIELD, TARGET_GROUP_FIELD):
            if name in fields:
                values[name] = fields[name]
        return _form_page(
            request, wave, fixed, language=language, values=values, errors=exc.errors, submission_key=key
        )
    again = "ja" if stored is Stored.DUPLICATE else ""
    return Redirect(path=_with_language(request, f"/e/{wave.slug}/tack", redan=again), status_code=303)


def _receipt(
    request: Request, wave: WaveForm, language: str, *, already_sent: bool, fixed: Choice | None = None
) -> Response:
    form_path = f"/e/{wave.slug}" + (f"/o/{fixed.code}" if fixed else "")
    texts = survey_texts(wave, language)
    return Template(
        "thanks.html",
        context={
            "wave": wave,
            "texts": texts,
            "already_sent": already_sent,
            "again": _with_language(request, form_path, igen="ja"),
            "home": with_lang("/"),
        },
        cookies=[_sent_cookie(request, wave)],
    )


@get("/e/{slug:str}/tack", name="thanks")
async def thanks(request: Request, slug: FromPath[str], redan: FromQuery[str] = "") -> Response:
    wave, _fixed = await survey_at(slug)
    return _receipt(request, wave, _language(request, wave), already_sent=bool(redan))


HANDLERS = [survey_form, survey_form_for_organisation, submit, submit_for_organisation, thanks]
