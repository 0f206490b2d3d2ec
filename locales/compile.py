"""Compile the catalogues to .mo files (for container images): `python -m locales.compile`.

Without them effekt compiles the .po files in memory at start; with them it loads the .mo directly.
"""

from __future__ import annotations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from locales import HERE, SUPPORTED


def main() -> None:
    for locale in SUPPORTED:
        po = HERE / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
        print(po.with_suffix(".mo"))


if __name__ == "__main__":
    main()
