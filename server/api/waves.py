"""/api/v1/waves: open waves, a wave's questionnaire, and submitting a response."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody

from locales import gettext as _
from server import clock
from server.auth import requires
from server.web.survey_page import survey_texts
from surveys.accounts.users import Role
from surveys.db.engine import write_transaction
from surveys.errors import NotFound
from surveys.questionnaires.model import QuestionDef, in_language
from surveys.responding.submission import Sent, Stored, submit
from surveys.results.releases import release_open_wave
from surveys.waves.lookup import WaveForm, open_waves, wave_at
from surveys.waves.setup import archive_wave, create_wave, delete_wave


class WaveItem(msgspec.Struct):
    slug: str
    title: str
    opens_at: datetime
    closes_at: datetime
    form_url: str


class WaveList(msgspec.Struct):
    waves: list[WaveItem]


class OptionOut(msgspec.Struct):
    code: str
    text: str
    reaches_step: bool
    dont_know: bool


class QuestionOut(msgspec.Struct):
    code: str
    kind: str
    text: str
    help: str
    required: bool
    step: str | None
    dont_know: str
    show_if: dict[str, Any] | None
    max_length: int
    options: list[OptionOut]


class ChoiceOut(msgspec.Struct):
    code: str
    name: str


class OptionText(msgspec.Struct):
    """An option's text in one language; `lang` is the language it is in (sv when not translated)."""

    code: str
    text: str
    lang: str


class QuestionText(msgspec.Struct):
    """A question's texts in one language; each `…_lang` says which language the text is in."""

    code: str
    text: str
    text_lang: str
    help: str
    help_lang: str
    options: list[OptionText]


class WaveTexts(msgspec.Struct):
    """Every text of the form in one language, with Swedish where a translation is missing (as on the
    respondent page): set the text's lang attribute from its `…_lang`."""

    title: str
    title_lang: str
    intro: str
    intro_lang: str
    questions: list[QuestionText]
    target_groups: list[OptionText]  # the plan's name where the group has none in this language


class WaveDetail(msgspec.Struct):
    """A wave and its questions in Swedish; `languages` lists what the form is offered in (sv first) and
    `translations` holds the texts for each language besides Swedish. Answers are option codes in every
    language."""

    slug: str
    title: str
    intro: str
    status: str
    opens_at: datetime
    closes_at: datetime
    form_url: str
    organisations: list[ChoiceOut]
    target_groups: list[ChoiceOut]
    questions: list[QuestionOut]
    languages: list[str]
    translations: dict[str, WaveTexts]


class ResponseIn(msgspec.Struct, forbid_unknown_fields=True):
    """A response: answers by question code (an option code, a list of codes, or a text)."""

    answers: dict[str, Any]
    submission_key: str | None = None
    organisation: str | None = None
    target_group: str | None = None
    code: str | None = None


class ResponseOut(msgspec.Struct):
    status: str
    detail: str


def _form_url(request: Request, slug: str) -> str:
    return str(request.url.with_replacements(path=f"/e/{slug}", query=""))


@get("/waves", summary="Öppna mätomgångar")
async def list_waves(request: Request) -> WaveList:
    waves = await open_waves(clock.now())
    return WaveList(
        waves=[WaveItem(w.slug, w.title, w.opens_at, w.closes_at, _form_url(request, w.slug)) for w in waves]
    )


@get("/waves/{slug:str}", summary="En mätomgång och dess frågor")
async def wave_detail(request: Request, slug: FromPath[str]) -> WaveDetail:
    wave = await wave_at(slug)
    return WaveDetail(
        slug=wave.slug,
        title=wave.title,
        intro=wave.intro,
        status=wave.status(clock.now()).value,
        opens_at=wave.opens_at,
        closes_at=wave.closes_at,
        form_url=_form_url(request, wave.slug),
        organisations=[ChoiceOut(c.code, c.name) for c in wave.organisations],
        target_groups=[ChoiceOut(c.code, c.name) for c in wave.target_groups],
        questions=[_question(q) for q in wave.questionnaire.questions],
        languages=["sv", *wave.questionnaire.languages],
        translations={lang: _texts(wave, lang) for lang in wave.questionnaire.languages},
    )


def _texts(wave: WaveForm, language: str) -> WaveTexts:
    """The form's texts in `language`, falling back to Swedish as the respondent page does."""
    top = survey_texts(wave, language)
    questions = []
    for q in wave.questionnaire.questions:
        text, text_lang = in_language(q.text, q.text_in, language)
        help_text, help_lang = in_language(q.help, q.help_in, language) if q.help else ("", language)
        options = [OptionText(o.code, *in_language(o.text, o.text_in, language)) for o in q.options]
        questions.append(QuestionText(q.code, text, text_lang, help_text, help_lang, options))
    groups = [OptionText(g.code, *g.name_in(language)) for g in wave.target_groups]
    return WaveTexts(top["title"], top["title_lang"], top["intro"], top["intro_lang"], questions, groups)


def _question(q: QuestionDef) -> QuestionOut:
    return QuestionOut(
        code=q.code,
        kind=q.kind,
        text=q.text,
        help=q.help,
        required=q.required,
        step=q.step,
        dont_know=q.dont_know,
        show_if={"question": q.show_if.question, "any_of": list(q.show_if.any_of)} if q.show_if else None,
        max_length=q.max_length,
        options=[OptionOut(o.code, o.text, o.reaches_step, o.dont_know) for o in q.options],
    )


@post("/waves/{slug:str}/responses", summary="Lämna ett svar", status_code=201)
async def submit_response(
    request: Request, slug: FromPath[str], data: JSONBody[ResponseIn]
) -> Response[ResponseOut]:
    wave = await wave_at(slug)
    answers = {code: value if isinstance(value, list) else [value] for code, value in data.answers.items()}
    sent = Sent(answers, data.organisation, data.target_group, data.code, data.submission_key)
    stored = await submit(wave, sent, clock.now())
    if stored is Stored.DUPLICATE:
        return Response(ResponseOut("duplicate", _("Svaret var redan sparat.")), status_code=200)
    return Response(ResponseOut("created", _("Tack! Svaret är sparat.")), status_code=201)


class ReleaseOut(msgspec.Struct):
    wave: str
    number: int
    released_on: date
    preliminary: bool


@post(
    "/waves/{slug:str}/releases",
    summary="Delredovisa en öppen mätomgång (högst en gång om dagen)",
    status_code=201,
    guards=[requires(Role.COMMUNICATOR)],
)
async def release_wave(slug: FromPath[str]) -> ReleaseOut:
    made = await release_open_wave(slug, clock.now())
    return ReleaseOut(slug, made.number, made.released_on, made.interim)


class WaveIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new wave of the plan, on the newest version of one of the plan's questionnaires.

    Times with their zone ("2027-03-01T08:00:00+01:00"). Target groups and organisations by code; left out,
    every one of the plan's (active) ones. A wave that would already have closed is refused unless
    `confirm_past` is true.
    """

    questionnaire: str
    slug: str
    title: str
    opens_at: datetime
    closes_at: datetime
    target_groups: list[str] | None = None
    organisations: list[str] | None = None
    intro: str = ""
    confirm_past: bool = False


class WaveCreated(msgspec.Struct):
    slug: str
    form_url: str


COMMUNICATOR = [requires(Role.COMMUNICATOR)]
PLAN_WAVES = "/plans/{code:str}/waves"


@post(PLAN_WAVES, summary="Skapa en mätomgång för planen", status_code=201, guards=COMMUNICATOR)
async def wave_create(request: Request, code: FromPath[str], data: JSONBody[WaveIn]) -> WaveCreated:
    async with write_transaction():
        await create_wave(
            plan_code=code,
            questionnaire_code=data.questionnaire,
            slug=data.slug,
            title=data.title,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            target_groups=data.target_groups,
            organisations=data.organisations,
            intro=data.intro,
            now=clock.now(),
            past_confirmed=data.confirm_past,
        )
    return WaveCreated(data.slug, _form_url(request, data.slug))


async def _plans_wave(code: str, wave: str) -> None:
    """NotFound unless the wave is the plan's: a plan's address never reaches another plan's wave."""
    from surveys.db.tables import Wave
    from surveys.plans.lookup import plan_row
    from surveys.waves.setup import wave_to_manage

    plan = await plan_row(code)
    await wave_to_manage(wave)
    if not await Wave.exists().where((Wave.slug == wave) & (Wave.plan == plan["id"])):
        raise NotFound(_("Mätomgången hör inte till planen %(code)s.") % {"code": code})


@delete(f"{PLAN_WAVES}/{{wave:str}}", summary="Ta bort en mätomgång utan svar", guards=COMMUNICATOR)
async def wave_delete(code: FromPath[str], wave: FromPath[str]) -> None:
    await _plans_wave(code, wave)
    await delete_wave(wave)  # refused without a count of the answers (surveys/plans/usage.py, Uses)


@post(
    f"{PLAN_WAVES}/{{wave:str}}/archive",
    summary="Arkivera en mätomgång: stängd, svaren kvar i resultaten",
    status_code=200,
    guards=COMMUNICATOR,
)
async def wave_archive(code: FromPath[str], wave: FromPath[str]) -> ResponseOut:
    await _plans_wave(code, wave)
    await archive_wave(wave)
    return ResponseOut("archived", _("Mätomgången är arkiverad. Svaren finns kvar i resultaten."))


HANDLERS = [list_waves, wave_detail, submit_response, release_wave, wave_create, wave_delete, wave_archive]
