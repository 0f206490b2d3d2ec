"""Synthetic but plausible responses for the demo plan: seeded, so every load gives the same data.

Awareness rises from wave to wave, organisations respond unevenly, small groups stay small, and
answers follow the effect ladder (only those who know the plan are asked about understanding,
acceptance and action, as the questionnaire's show-if rules say).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

# Share who know the plan (L1), per target group and wave.
AWARENESS = {
    "hogsta-ledning": (0.70, 0.82, 0.90, 0.93),
    "kommunala-chefer": (0.45, 0.58, 0.70, 0.74),
    "regionens-chefer": (0.50, 0.62, 0.74, 0.77),
    "lsg": (0.60, 0.75, 0.85, 0.88),
    "samordnare": (0.85, 0.90, 0.97, 0.97),
    "medarbetare": (0.18, 0.28, 0.38, 0.42),
    "politiker": (0.35, 0.50, 0.62, 0.66),
    "invanare": (0.05, 0.09, 0.14, 0.15),
}
# Share of those aware who took part in the work (L4).
ACTION = {
    "hogsta-ledning": (0.55, 0.65, 0.75, 0.78),
    "kommunala-chefer": (0.35, 0.42, 0.50, 0.52),
    "regionens-chefer": (0.35, 0.44, 0.52, 0.55),
    "lsg": (0.50, 0.60, 0.68, 0.70),
    "samordnare": (0.75, 0.82, 0.88, 0.90),
    "medarbetare": (0.15, 0.20, 0.26, 0.28),
    "politiker": (0.20, 0.28, 0.35, 0.38),
    "invanare": (0.05, 0.06, 0.08, 0.08),
}
# Response rates differ between organisations (the reason results are weighted).
RESPONSE_RATE = {
    "harnosand": 0.32,
    "kramfors": 0.22,
    "solleftea": 0.18,
    "sundsvall": 0.38,
    "timra": 0.25,
    "ange": 0.12,
    "ornskoldsvik": 0.30,
    "region": 0.28,
}
AWARENESS_OFFSET = {
    "sundsvall": 0.04,
    "ornskoldsvik": 0.02,
    "region": 0.03,
    "ange": -0.06,
    "solleftea": -0.03,
}
GROUP_RATE_FACTOR = {"medarbetare": 0.35, "politiker": 1.2, "invanare": 1.0}
LEADERS = {"hogsta-ledning", "kommunala-chefer", "regionens-chefer", "lsg", "samordnare"}
CHANNEL_RECALL = {
    "intranat": 0.55,
    "gnv-webb": 0.30,
    "extern-webb": 0.15,
    "linkedin": 0.08,
    "infoblad": 0.05,
    "mote": 0.35,
}
NEEDS = (
    "Mer konkreta exempel från min egen verksamhet.",
    "Tid avsatt på arbetsplatsträffar för att prata om nära vård.",
    "Tydligare information om vad som förväntas av oss som chefer.",
    "En kort sammanfattning av färdplanen på en sida.",
    "Att få veta vem jag kan kontakta i min kommun.",
    "Mer samverkan mellan skola och socialtjänst lokalt.",
    "Information i de kanaler jag redan använder, inte fler mejl.",
)


@dataclass(frozen=True)
class SyntheticResponse:
    organisation: str
    target_group: str
    day_offset: float  # 0..1 through the wave's open period
    chosen: dict[str, tuple[str, ...]]
    texts: dict[str, str]


def respondents(
    rng: random.Random,
    wave_index: int,
    group: str,
    organisation: str,
    size: int | None,
    completeness: float = 1.0,
) -> int:
    if size is None:
        return round(rng.uniform(15, 60) * completeness)
    rate = RESPONSE_RATE[organisation] * GROUP_RATE_FACTOR.get(group, 1.8 if group in LEADERS else 1.0)
    rate = min(0.95, rate * (1 + 0.08 * wave_index))
    expected = size * rate * completeness
    return min(size, max(0, round(rng.gauss(expected, max(0.5, expected**0.5 * 0.3)))))


def responses(
    seed: int, wave_index: int, groups: dict[str, dict[str, int | None]], completeness: float = 1.0
) -> Iterator[SyntheticResponse]:
    """Responses for one wave; `groups` maps target group code to {organisation code: known size or None}."""
    rng = random.Random(f"{seed}-{wave_index}")
    for group, sizes in groups.items():
        for organisation, size in sizes.items():
            for _ in range(respondents(rng, wave_index, group, organisation, size, completeness)):
                yield _one(rng, wave_index, group, organisation)


def _one(rng: random.Random, wave: int, group: str, organisation: str) -> SyntheticResponse:
    aware_p = min(0.99, max(0.01, AWARENESS[group][wave] + AWARENESS_OFFSET.get(organisation, 0.0)))
    chosen: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str] = {}
    if rng.random() < aware_p:
        chosen["kannedom"] = ("ja_val",) if rng.random() < 0.4 else ("ja_viss",)
    else:
        chosen["kannedom"] = (rng.choices(("hort", "nej", "vet_ej"), weights=(45, 45, 10))[0],)
    knows = chosen["kannedom"][0] in ("ja_val", "ja_viss")
    if chosen["kannedom"][0] in ("ja_val", "ja_viss", "hort"):
        boost = 1.8 if group in LEADERS else 1.0
        seen = tuple(
            code
            for code, p in CHANNEL_RECALL.items()
            if rng.random() < min(0.95, p * (boost if code == "mote" else 1.0) * (1.1 + 0.1 * wave))
        )
        chosen["kanaler"] = seen or ("minns_inte",)
    if knows:
        chosen["forstaelse"] = (_agreement(rng, 0.42 + 0.07 * wave),)
        chosen["acceptans"] = (_agreement(rng, 0.62),)
        if rng.random() < 0.04:
            chosen["handling"] = ("vet_ej",)
        elif rng.random() < ACTION[group][wave]:
            chosen["handling"] = ("ja_flera",) if rng.random() < 0.35 else ("ja_nagon",)
        else:
            chosen["handling"] = ("planerar",) if rng.random() < 0.4 else ("nej",)
    if rng.random() < 0.85:
        chosen["chef-informerat"] = ("ja",) if rng.random() < (0.6 if knows else 0.2) else ("nej",)
    if rng.random() < 0.8:
        centre = 6.5 if knows else 3.5
        chosen["nar-fram"] = (str(min(10, max(0, round(rng.gauss(centre, 2.0))))),)
    if rng.random() < 0.08:
        texts["behov"] = rng.choice(NEEDS)
    return SyntheticResponse(organisation, group, rng.random(), chosen, texts)


def _agreement(rng: random.Random, agree_p: float) -> str:
    if rng.random() < 0.05:
        return "vet_ej"
    if rng.random() < agree_p:
        return "5" if rng.random() < 0.4 else "4"
    return rng.choices(("1", "2", "3"), weights=(15, 35, 50))[0]
