"""/api/v1/waves: open waves, a wave's questionnaire, and submitting a response."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody

from locales import gettext as _
from server import clock
from server.auth import requires
from surveys.accounts.users import Role
from surveys.questionnaires.model import QuestionDef
from surveys.responding.submission import Sent, Stored, submit
from surveys.results.releases import release_open_wave
from surveys.waves.lookup import open_waves, wave_at


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


class WaveDetail(msgspec.Struct):
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
    )


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


HANDLERS = [list_waves, wave_detail, submit_response, release_wave]
