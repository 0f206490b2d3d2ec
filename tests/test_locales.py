"""Choosing the language: Accept-Language negotiation and the per-request locale."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

import locales
from locales import babel_locale, current_locale, negotiate, using_locale


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en", "en"),
        ("sv", "sv"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        ("sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        ("en-GB,en;q=0.9,sv;q=0.8", "en"),
        ("de-DE,en;q=0.5", "en"),
        ("de-DE, fr;q=0.9, sv;q=0.1", "sv"),
        ("sv;q=0.4, en;q=0.6", "en"),
        ("sv;q=0, en", "en"),
        ("en;q=0.0, sv;q=0.1", "sv"),
    ],
)
def test_the_most_preferred_supported_language_is_chosen(header: str, expected: str) -> None:
    assert negotiate(header, "sv") == expected


def test_between_equally_preferred_languages_the_first_one_wins() -> None:
    assert negotiate("en;q=0.8, sv;q=0.8", "sv") == "en"
    assert negotiate("sv, en", "en") == "sv"


@pytest.mark.parametrize("header", ["", None])
def test_without_a_header_the_default_language_is_used(header: str | None) -> None:
    assert negotiate(header, "sv") == "sv"
    assert negotiate(header, "en") == "en"


@pytest.mark.parametrize("header", ["nb-NO", "nb-NO,nb;q=0.9,da;q=0.8", "fi", "*", "sv;q=0", "svenska"])
def test_without_a_supported_language_the_default_language_is_used(header: str) -> None:
    assert negotiate(header, "en") == "en"
    assert negotiate(header, "sv") == "sv"


def test_the_default_default_is_swedish() -> None:
    assert negotiate("nb-NO") == "sv"
    assert negotiate(None) == "sv"


def test_a_language_with_an_unreadable_quality_is_ignored() -> None:
    assert negotiate("en;q=abc, sv;q=0.5", "en") == "sv"
    assert negotiate("en;q=", "sv") == "sv"


@pytest.mark.parametrize(
    ("header", "expected"), [(",,,", "en"), (";;q=", "en"), ("  ,  sv ,  ", "sv"), ("\x00sv", "en")]
)
def test_a_malformed_header_gives_a_language_instead_of_an_error(header: str, expected: str) -> None:
    assert negotiate(header, "en") == expected


def test_a_header_with_surrounding_spaces_is_understood() -> None:
    assert negotiate("  de ,  en ; q=0.7 ", "sv") == "en"


# --- the current locale -------------------------------------------------------------------------------


def test_the_locale_is_swedish_unless_something_sets_it() -> None:
    # A fresh context, as a new request or command gets, whatever earlier tests did here.
    assert contextvars.Context().run(current_locale) == "sv"
    assert contextvars.Context().run(babel_locale) == "sv_SE"


def test_using_locale_sets_the_locale_and_restores_the_previous_one() -> None:
    before = current_locale()
    with using_locale("en"):
        assert current_locale() == "en"
        with using_locale("sv"):
            assert current_locale() == "sv"
        assert current_locale() == "en"
    assert current_locale() == before


def test_using_locale_restores_the_previous_locale_after_an_error() -> None:
    before = current_locale()
    with pytest.raises(RuntimeError), using_locale("en"):
        raise RuntimeError("avbrutet")
    assert current_locale() == before


def test_an_unsupported_locale_falls_back_to_swedish() -> None:
    with using_locale("en"), using_locale("de"):
        assert current_locale() == "sv"


def test_concurrent_tasks_each_keep_their_own_locale() -> None:
    async def answer_in(locale: str, ready: asyncio.Event, go: asyncio.Event, seen: list[str]) -> None:
        with using_locale(locale):
            ready.set()
            await go.wait()  # both tasks are now inside their own using_locale
            seen.append(current_locale())
            await asyncio.sleep(0)
            seen.append(current_locale())

    async def main() -> tuple[list[str], list[str]]:
        go = asyncio.Event()
        ready_sv, ready_en = asyncio.Event(), asyncio.Event()
        seen_sv: list[str] = []
        seen_en: list[str] = []
        tasks = [
            asyncio.create_task(answer_in("sv", ready_sv, go, seen_sv)),
            asyncio.create_task(answer_in("en", ready_en, go, seen_en)),
        ]
        await ready_sv.wait()
        await ready_en.wait()
        go.set()
        await asyncio.gather(*tasks)
        return seen_sv, seen_en

    seen_sv, seen_en = asyncio.run(main())

    assert seen_sv == ["sv", "sv"]
    assert seen_en == ["en", "en"]


def test_a_task_setting_its_locale_does_not_change_the_callers_locale() -> None:
    async def switch() -> str:
        locales.set_locale("en")
        return current_locale()

    async def main() -> tuple[str, str]:
        inside = await asyncio.create_task(switch())
        return inside, current_locale()

    with using_locale("sv"):
        assert asyncio.run(main()) == ("en", "sv")
        assert current_locale() == "sv"


# --- Babel locales and messages -----------------------------------------------------------------------


def test_babel_locale_maps_the_ui_language_to_a_babel_locale() -> None:
    assert babel_locale("sv") == "sv_SE"
    assert babel_locale("en") == "en_GB"


def test_babel_locale_follows_the_current_locale() -> None:
    with using_locale("sv"):
        assert babel_locale() == "sv_SE"
        with using_locale("en"):
            assert babel_locale() == "en_GB"


def test_babel_locale_falls_back_to_swedish_for_an_unknown_language() -> None:
    assert babel_locale("de") == "sv_SE"


def test_swedish_messages_are_their_own_translation() -> None:
    message = "Välj ett svarsalternativ."

    with using_locale("sv"):
        assert locales.gettext(message) == message
        assert locales.ngettext(
            "Välj högst %(n)s svarsalternativ.", "Välj högst %(n)s svarsalternativ.", 3
        ) == ("Välj högst %(n)s svarsalternativ.")


def test_n_marks_a_message_without_translating_it() -> None:
    with using_locale("en"):
        assert locales.N_("Välj ett svarsalternativ.") == "Välj ett svarsalternativ."
