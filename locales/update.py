"""Refresh the catalogues after UI texts change: `python -m locales.update`.

Extracts every message from the code and templates into messages.pot, then updates the English
catalogue (new entries get an empty translation for a person to fill in; tests fail until they do)
and the Swedish one (Swedish is the source language, so its translations are the messages themselves).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = HERE / "messages.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHOD_MAP = [
    ("server/**.py", "python"),
    ("surveys/**.py", "python"),
    ("analysis/**.py", "python"),
    ("locales/**.py", "python"),
    ("server/templates/**.html", "jinja2"),
]
OPTIONS = {"server/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def extract() -> Catalog:
    catalog = Catalog(project="effekt", copyright_holder="effekt", locale=None, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog | None:
    path = po_path(locale)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, sort_output=True, omit_header=False)


def main() -> int:
    template = extract()
    if TEMPLATE.exists():
        with TEMPLATE.open("rb") as handle:
            previous = read_po(handle)
        if {m.id for m in previous} == {m.id for m in template}:
            # Same messages: keep the old date, so an unchanged catalogue is not a change in git.
            template.creation_date = previous.creation_date
    write(template, TEMPLATE)
    for locale in ("en", "sv"):
        catalog = read(locale) or Catalog(locale=locale, project="effekt")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "sv":
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        write(catalog, po_path(locale))
    missing = [
        m.id for m in read("en") if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    print(f"{len(template)} messages; {len(missing)} without an English translation", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
