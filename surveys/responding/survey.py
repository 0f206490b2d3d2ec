"""The survey a respondent reaches by a link: the wave at its address, and the organisation the link names."""

from __future__ import annotations

from locales import gettext as _
from surveys.errors import NotFound
from surveys.waves.lookup import Choice, WaveForm, find_wave


async def survey_at(slug: str, organisation: str | None = None) -> tuple[WaveForm, Choice | None]:
    """The wave at `slug` and the organisation its link names (None for the open link).

    NotFound speaks to a person who followed a link: check the link.
    """
    wave = await find_wave(slug)
    if wave is None:
        raise NotFound(_("Det finns ingen enkät på den här adressen. Kontrollera länken du fick."))
    if organisation is None:
        return wave, None
    fixed = wave.organisation(organisation)
    if fixed is None:
        raise NotFound(_("Länken gäller en organisation som inte är med i den här enkäten."))
    return wave, fixed
