"""Sweden's 290 municipalities and 21 regions, with Statistics Sweden's codes (SCB's kommunkod and länskod).

The list is data (surveys/plans/data/organisations.csv), read once per worker. A plan picks its organisations
from it by official code ("2480" Umeå kommun, "24" Region Västerbotten); other organisations (a
kommunalförbund, a private provider) are added to one plan by name. Either way an organisation is the plan's
own row (surveys/db/tables.py, Organisation.plan): the official code says which municipality or region it
is, never which row, so no plan can rename another plan's organisation.

How the file was made and checked: the codes and SCB's names of the 290 municipalities and 21 counties come
from two independent public copies of SCB's list (sjbrg/swedish-geodata on GitHub, CC0, and the 2018 list in
MagnumOpuses/JobScanning), which agree on every code and name; a municipality's first two digits are its
county's code. The organisation names are the municipality's name in the genitive with "kommun" ("Umeå
kommun", "Sundsvalls kommun"; Falu, Kalmar and Orust kommun as they write it) and the region's own name
("Västra Götalandsregionen", "Region Jämtland Härjedalen"). tests/surveys/plans/test_official.py checks the
counts and known codes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "organisations.csv"


@dataclass(frozen=True)
class OfficialOrganisation:
    code: str  # SCB: four digits for a municipality (kommunkod), two for a county's region (länskod)
    kind: str  # kommun | region
    name: str  # "Umeå kommun", "Region Västerbotten"
    scb_name: str  # SCB's own name: "Umeå", "Västerbotten"
    county_code: str
    county: str  # "Västerbottens län"


@dataclass(frozen=True)
class County:
    code: str
    name: str  # "Västra Götalands län"
    short: str  # "Västra Götaland"
    region: OfficialOrganisation
    municipalities: tuple[OfficialOrganisation, ...]

    @property
    def members(self) -> tuple[OfficialOrganisation, ...]:
        """The region first, then its municipalities in code order."""
        return (self.region, *self.municipalities)


@cache
def official_organisations() -> tuple[OfficialOrganisation, ...]:
    with DATA.open(encoding="utf-8", newline="") as file:
        return tuple(
            OfficialOrganisation(
                row["code"], row["kind"], row["name"], row["scb_name"], row["county_code"], row["county"]
            )
            for row in csv.DictReader(file)
        )


@cache
def _by_code() -> dict[str, OfficialOrganisation]:
    return {o.code: o for o in official_organisations()}


def official(code: str) -> OfficialOrganisation | None:
    """The municipality or region with this SCB code ("2480", "24"); None when there is none."""
    return _by_code().get(str(code).strip())


@cache
def counties() -> tuple[County, ...]:
    regions = [o for o in official_organisations() if o.kind == "region"]
    return tuple(
        County(
            r.code,
            r.county,
            r.scb_name,  # a region's SCB name is its county's: "Västra Götaland"
            r,
            tuple(o for o in official_organisations() if o.kind == "kommun" and o.county_code == r.code),
        )
        for r in regions
    )


def county(code_or_name: str) -> County | None:
    """A county by its code ("14") or its name, with or without "län" ("Västra Götaland")."""
    wanted = str(code_or_name).strip().lower()
    return next(
        (c for c in counties() if wanted in (c.code, c.name.lower(), c.short.lower())),
        None,
    )


def match(name: str, kind: str) -> OfficialOrganisation | None:
    """The official organisation a plan already names in full ("Härnösands kommun", kind kommun), if any.

    Plans written before the official list name their municipalities this way; matching by the exact name
    and kind links them to their code without guessing at spellings.
    """
    wanted = name.strip().lower()
    return next(
        (o for o in official_organisations() if o.kind == kind and o.name.lower() == wanted),
        None,
    )
