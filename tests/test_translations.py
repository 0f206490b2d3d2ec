"""Every text a person can see is translated, and the catalogues match the code."""

from __future__ import annotations

import re

import pytest

from locales import update

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def extracted():
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in update.extract() if m.id}


@pytest.fixture(scope="module")
def english():
    return update.read("en")


def test_every_ui_text_has_an_english_translation(extracted, english):
    missing = []
    for msgid in extracted:
        entry = english.get(msgid)
        strings = (
            [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        )
        if entry is None or not all(strings) or entry.fuzzy:
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} texts lack an English translation (run python -m locales.update): {missing[:10]}"
    )


def test_translations_keep_every_placeholder(english):
    broken = []
    for entry in english:
        if not entry.id:
            continue
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != wanted:
                broken.append(entry.id)
    assert not broken, f"placeholders differ in: {broken}"


def test_the_swedish_catalogue_covers_every_text(extracted):
    swedish = update.read("sv")
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in swedish if m.id} >= set(extracted)


def test_the_template_file_is_up_to_date(extracted):
    with update.TEMPLATE.open("rb") as handle:
        from babel.messages.pofile import read_po

        stored = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert stored == set(extracted), "run python -m locales.update"
