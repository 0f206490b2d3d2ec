"""What a curious communicator sees of an open wave while it is open: fetching and reading the live views.

The live views (docs/dataskydd.md, "Tabellen svar hittills"; issue #13, #15) are the workspace list
(/arbeta), the plan page, the wave page with its progress table and one-time codes, the new-wave form
with its planning table, and the API a signed-in person reaches (results, planning, the wave). Nothing
here judges what was fetched; tests/anonymity/test_live_views.py does.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from surveys.accounts.users import Role, create_token, create_user
from surveys.db import engine as db
from surveys.db.tables import Wave
from tests.support import make_wave, sign_in_with

PLAN = "testplan"
SLUG = "testomgang"
PASSWORD = "ett-langt-losenord"
COMMUNICATOR = "nyfiken-kommunikator@example.se"
ALBY_COMMUNICATOR = "nyfiken-alby@example.se"  # granted the organisation alby only (issue #15)

VIEWS = (
    "/arbeta",
    f"/arbeta/omgangar/{SLUG}",
    f"/arbeta/planer/{PLAN}",
    f"/arbeta/omgangar/ny?plan={PLAN}",
    f"/api/v1/plans/{PLAN}/planning",
    f"/api/v1/plans/{PLAN}/results",
    f"/api/v1/plans/{PLAN}/questions",
    f"/api/v1/waves/{SLUG}",
    "/api/v1/waves",
    f"/resultat/{PLAN}",
)


async def open_wave() -> None:
    """The test plan's wave (two organisations, two target groups), open from yesterday to the day after
    tomorrow at midnight: the same times however long a test runs, so two runs can be compared."""
    await make_wave(SLUG)
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    async with db.write_transaction():
        await Wave.update(
            {Wave.opens_at: midnight - timedelta(days=1), Wave.closes_at: midnight + timedelta(days=2)}
        ).where(Wave.slug == SLUG)
    from surveys import caches

    caches.forget_all()


API_KEYS: dict[str, str] = {}  # username → their API key, made by `accounts`


async def accounts() -> None:
    """The two curious communicators, each with an API key: one for the whole plan, one for the
    organisation alby only."""
    async with db.write_transaction():
        whole = await create_user(COMMUNICATOR, PASSWORD, Role.COMMUNICATOR)
        alby = await create_user(
            ALBY_COMMUNICATOR, PASSWORD, Role.COMMUNICATOR, plans=[PLAN], organisations=["alby"]
        )
    API_KEYS[COMMUNICATOR] = await create_token(whole.id, "nyfiken")
    API_KEYS[ALBY_COMMUNICATOR] = await create_token(alby.id, "nyfiken")


async def answer(
    client: httpx.AsyncClient,
    org: str,
    group: str,
    *,
    knows: bool = True,
    channel: str = "intranat",
    text: str = "",
    code: str | None = None,
) -> None:
    """One response through the public API, as anyone with the open link can send it."""
    answers: dict = {"kannedom": "ja" if knows else "nej", "kanaler": [channel], "betyg": "7"}
    if knows:
        answers["forstaelse"] = "4"
    if text:
        answers["fritext"] = text
    response = await client.post(
        f"/api/v1/waves/{SLUG}/responses",
        json={"answers": answers, "organisation": org, "target_group": group, "code": code},
    )
    assert response.status_code == 201, response.text


async def sign_in_as(client: httpx.AsyncClient, username: str) -> None:
    client.cookies.clear()
    await sign_in_with(client, username, PASSWORD)


# What changes from one request to the next whatever the data: tokens, nonces, the new-wave form's
# default times (now), and the session's own keys.
_VOLATILE = [
    (re.compile(r'(name="_csrf_token" value=")[^"]+'), r"\1…"),
    (re.compile(r'(name="submission_key" value=")[^"]+'), r"\1…"),
    (re.compile(r'nonce="[^"]+"'), 'nonce="…"'),
    (re.compile(r'(name="(?:opens|closes)"[^>]*value=")[^"]+'), r"\1…"),
    (re.compile(r'(value=")[^"]*("[^>]*name="(?:opens|closes)")'), r"\1…\2"),
    (re.compile(r'(name="title"[^>]*value=")[^"]+'), r"\1…"),
]


def normalised(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


async def views(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """Every live view the person may fetch, as status and normalised text."""
    await sign_in_as(client, username)
    fetched = {}
    for url in VIEWS:
        headers = {"authorization": f"Bearer {API_KEYS[username]}"} if url.startswith("/api/") else {}
        response = await client.get(url, headers=headers)
        fetched[url] = (
            f"{response.status_code}\n{normalised(response.text) if response.status_code == 200 else ''}"
        )
    return fetched


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The views that differ, each with its first differing lines."""
    found = []
    for url in before:
        if before[url] != after[url]:
            old, new = before[url].splitlines(), after[url].splitlines()
            changed = [
                f"- {a.strip()[:160]}\n+ {b.strip()[:160]}" for a, b in zip(old, new, strict=False) if a != b
            ]
            found.append(f"{url}:\n" + "\n".join(changed[:4]))
    return found


# --- The progress table and the wave counts, read as the page shows them ---------------------------------

PROGRESS = re.compile(r'<caption id="progress-caption">.*?</table>', re.S)


def without_progress(page: str) -> str:
    return PROGRESS.sub("<progress table>", page)


@dataclass(frozen=True)
class Shown:
    """A count as a page shows it: hidden ("dold"), about (rounded to five) or exact."""

    value: int | None  # None: hidden
    rounded: bool

    def allows(self, n: int) -> bool:
        if self.value is None:
            return True
        return self.value - 2 <= n <= self.value + 2 if self.rounded else n == self.value


def shown_count(cell: str) -> Shown:
    text = html.unescape(re.sub(r"<[^>]+>", " ", cell.split("<br>")[0])).replace("\xa0", "").replace(" ", "")
    if "dold" in text or "–" in text:
        return Shown(None, False)
    rounded = "cirka" in text.lower()
    digits = re.sub(r"\D", "", text)
    return Shown(int(digits), rounded) if digits else Shown(None, False)


@dataclass(frozen=True)
class Progress:
    groups: tuple[str, ...]
    rows: dict[str, tuple[Shown, ...]]  # organisation → its cells, then its total
    totals: tuple[Shown, ...]  # per group, then the grand total


def read_progress(page: str) -> Progress:
    table = PROGRESS.search(page)
    assert table, "the wave page has no progress table"
    part = table.group(0)
    groups = tuple(re.findall(r'<th scope="col" class="num">([^<]+)</th>', part)[:-1])
    rows = {}
    for label, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', part, re.S):
        rows[html.unescape(label)] = tuple(
            shown_count(c) for c in re.findall(r'<td class="num">(.*?)</td>', cells, re.S)
        )
    totals = rows.pop("Totalt")
    return Progress(groups, rows, totals)


def listed_count(workspace_page: str, title: str = f"Omgång {SLUG}") -> Shown:
    """The wave's answers as the workspace list (/arbeta) shows them."""
    row = re.search(rf">{re.escape(title)}</a></td>(.*?)</tr>", workspace_page, re.S)
    assert row, "the workspace lists the wave"
    return shown_count(re.findall(r'<td class="num">(.*?)</td>', row.group(1), re.S)[-1])


def used_codes(wave_page: str) -> Shown | None:
    """The used one-time codes as the wave page says them; None when it names no such count."""
    found = re.search(r"engångskod\. (.*?) av [\d\s\xa0]+ koder är använda", html.unescape(wave_page), re.S)
    return shown_count(found.group(1)) if found else None


def feasible_counts(
    progress: Progress, others: list[Shown], k: int, most: int = 30
) -> dict[tuple[str, str], set[int]]:
    """Every count each cell can have, given all that the progress table and `others` (counts of the whole
    wave shown elsewhere) say, read by the progress table's own rules (surveys/waves/progress.py): a
    shown count is exact or rounded to five; an organisation's total or the grand total is hidden exactly
    when its hidden cells add up to 1 to k−1; a group's total is hidden only with every cell of the group."""
    orgs = list(progress.rows)
    cells = [(o, g) for o in orgs for g in range(len(progress.groups))]
    ranges = []
    for o, g in cells:
        shown = progress.rows[o][g]
        ranges.append(
            range(0, most + 1) if shown.value is None else range(max(0, shown.value - 2), shown.value + 3)
        )
    hidden = {(o, g) for o, g in cells if progress.rows[o][g].value is None}
    found: dict[tuple[str, str], set[int]] = {(o, progress.groups[g]): set() for o, g in cells}

    def total_fits(shown: Shown, total: int, hidden_part: int) -> bool:
        if shown.value is None:
            return 0 < hidden_part < k
        return shown.allows(total) and not 0 < hidden_part < k

    for values in itertools.product(*ranges):
        count = dict(zip(cells, values, strict=True))
        ok = True
        for o in orgs:
            total = sum(count[(o, g)] for g in range(len(progress.groups)))
            part = sum(count[(o, g)] for g in range(len(progress.groups)) if (o, g) in hidden)
            if not total_fits(progress.rows[o][-1], total, part):
                ok = False
                break
        if not ok:
            continue
        for g in range(len(progress.groups)):
            shown = progress.totals[g]
            if shown.value is not None and not shown.allows(sum(count[(o, g)] for o in orgs)):
                ok = False
                break
        if not ok:
            continue
        everything = sum(values)
        if not total_fits(progress.totals[-1], everything, sum(count[c] for c in hidden)):
            continue
        if not all(shown.allows(everything) for shown in others):
            continue
        for (o, g), n in count.items():
            found[(o, progress.groups[g])].add(n)
    return found


def published_numbers(results: dict, slug: str = SLUG) -> dict[str, object]:
    """The wave's numbers in the results API: every share and count, without the words around them
    (whether they are preliminary, the verdicts), which change when a wave closes."""
    numbers: dict[str, object] = {}

    def keep(where: str, estimate: dict | None, hidden: dict | None) -> None:
        numbers[where] = (
            None
            if estimate is None
            else (estimate.get("share"), estimate.get("respondents"), estimate.get("base")),
            (hidden or {}).get("reason"),
        )

    for goal in results["goals"]:
        for wave in goal["waves"]:
            if wave["wave"] != slug:
                continue
            keep(f"goal {goal['id']}", wave["estimate"], wave["hidden"])
            for org in wave["organisations"]:
                keep(f"goal {goal['id']} {org['code']}", org["estimate"], org["hidden"])
            other = wave.get("other_organisations")
            keep(f"goal {goal['id']} others", other, None)
    for table in ("ladder", "channel_recall"):
        for cell in results.get(table, []):
            if cell["wave"] == slug:
                keep(f"{table} {cell['target_group']} {cell['key']}", cell["estimate"], cell["hidden"])
    return numbers
