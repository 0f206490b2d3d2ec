"""A curious communicator against the live views of an open wave (issue #13; organisation grants, #15).

While a wave is open, results change only at a release (surveys/results/releases.py), but the communicator
also sees live things: the progress table "svar hittills", the workspace list, the plan page, the one-time
codes, the planning table and the API. The organisation and target group of someone who just answered
may show in the progress table by design (docs/dataskydd.md, "Tabellen svar hittills"); what they
answered must not, nor the exact count of a hidden small group, nor, to someone granted one
organisation, anything about the other organisations.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from surveys import caches
from surveys.waves.codes import issue_codes
from surveys.waves.lookup import clear_caches
from tests.anonymity.live_views import (
    ALBY_COMMUNICATOR,
    API_KEYS,
    COMMUNICATOR,
    PLAN,
    SLUG,
    accounts,
    answer,
    differences,
    feasible_counts,
    listed_count,
    open_wave,
    published_numbers,
    read_progress,
    shown_count,
    sign_in_as,
    used_codes,
    views,
    without_progress,
)
from tests.conftest import _empty_all_tables
from tests.support import csrf_token, release

K = 5
STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def answered_and_released(client, *, codes: bool = False, alby_chefer: int = 6):
    """Chefer: 6 at Alby and 12 in the Region, who answered differently; Medarbetare: 2 in the Region, a
    group too small to show. Then an interim release, as the communicator may make one a day. With
    `codes`, the wave asks for one-time codes (the wave page then counts the used ones).

    `alby_chefer` sets how many Chefer of Alby answered before the release.
    Returns how the next person answers (organisation, group and content), with a code when needed."""
    await open_wave()
    await accounts()
    unused = iter((await issue_codes(SLUG, 40)).codes if codes else [])

    async def one_more(org: str, group: str, **content) -> None:
        await answer(client, org, group, code=next(unused, None), **content)

    for i in range(alby_chefer):
        await one_more("alby", "chefer", knows=i % 2 == 0, channel="intranat" if i % 3 else "mote")
    for i in range(12):
        await one_more("region", "chefer", knows=i % 3 != 0, channel="mote" if i % 2 else "intranat")
    for i in range(2):
        await one_more("region", "medarbetare", knows=bool(i))
    await release()
    return one_more


async def live_views_after_one_more(client, **content) -> dict[str, str]:
    """After the release, five Chefer of Alby answer alike; then one more, with `content`. Whether the six
    all answered alike is exactly what a table that hid a small uniform group would give away."""
    one_more = await answered_and_released(client, codes=True, alby_chefer=0)
    for _ in range(5):
        await one_more("alby", "chefer", knows=True, channel="intranat")
    await one_more("alby", "chefer", **content)
    seen = await views(client, COMMUNICATOR)
    seen |= {f"alby: {url}": text for url, text in (await views(client, ALBY_COMMUNICATOR)).items()}
    return seen


async def start_afresh(client) -> None:
    await _empty_all_tables()
    clear_caches()
    caches.forget_all()
    client.cookies.clear()


async def test_what_one_person_answered_changes_no_live_view(client):
    """Two worlds that differ only in what the last person answered (every step, option, channel and the
    free text) look the same in every live view, to the whole plan's and to an organisation's
    communicator."""
    knew = await live_views_after_one_more(client, knows=True, channel="intranat", text="Bra info")
    await start_afresh(client)
    did_not = await live_views_after_one_more(client, knows=False, channel="mote")
    assert not differences(knew, did_not), "\n".join(differences(knew, did_not))


@pytest.mark.parametrize("codes", [False, True], ids=["open-link", "codes"])
async def test_two_reads_around_one_answer_differ_only_in_the_progress_table(client, codes):
    """The answer shows in the progress table (its organisation and group, by design); every other view,
    the workspace list, plan page, codes, planning and released results among them, stays the same."""
    one_more = await answered_and_released(client, codes=codes)
    before = await views(client, COMMUNICATOR)
    await one_more("region", "chefer")
    after = await views(client, COMMUNICATOR)
    outside = [
        differences({u: without_progress(t)}, {u: without_progress(after[u])}) for u, t in before.items()
    ]
    found = [d for found in outside for d in found]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("codes", [False, True], ids=["open-link", "codes"])
async def test_the_live_views_together_pin_no_hidden_small_groups_count(client, codes):
    """The progress table hides the two Medarbetare of the Region and its grand total; the workspace list,
    the plan page and the count of used one-time codes must not give back the count the table hides."""
    await answered_and_released(client, codes=codes)
    seen = await views(client, COMMUNICATOR)
    progress = read_progress(seen["/arbeta/omgangar/testomgang"])
    assert progress.rows["Regionen"][1].value is None, "the Region's two Medarbetare are hidden"
    others = [listed_count(seen["/arbeta"])]
    plan_page = re.search(r"Omgång testomgang</a>[^:]*: (.*?)</li>", seen["/arbeta/planer/testplan"], re.S)
    if plan_page:
        others.append(shown_count(plan_page.group(1)))
    codes_used = used_codes(seen["/arbeta/omgangar/testomgang"])
    assert ("kräver engångskod" in seen["/arbeta/omgangar/testomgang"]) == codes
    if codes_used is not None:
        others.append(codes_used)
    counts = feasible_counts(progress, others, K)
    pinned = {
        cell: values
        for cell, values in counts.items()
        if progress.rows[cell[0]][progress.groups.index(cell[1])].value is None
        and len(values) == 1
        and 0 < min(values) < K
    }
    assert not pinned, f"hidden small groups whose count the live views give away: {pinned}"


@pytest.mark.parametrize("codes", [False, True], ids=["open-link", "codes"])
async def test_an_organisation_communicator_sees_nothing_when_another_organisation_answers(client, codes):
    """Granted Alby only, a communicator sees Alby's rows and no totals (server/scopes.py): answers from
    the Region change nothing they can fetch, not even when the Region's Medarbetare grow from too few
    to show (2) to enough (5)."""
    one_more = await answered_and_released(client, codes=codes)
    before = await views(client, ALBY_COMMUNICATOR)
    await one_more("region", "chefer")
    for _ in range(3):
        await one_more("region", "medarbetare")
    after = await views(client, ALBY_COMMUNICATOR)
    assert not differences(before, after), "\n".join(differences(before, after))


async def test_no_live_view_tells_the_time_of_day_of_an_answer(client):
    """Responses keep a day, never a time: the only times of day in the live views are the wave's own
    opening and closing (midnight UTC here, shown in UTC or Swedish time)."""
    one_more = await answered_and_released(client, codes=True)
    await one_more("region", "chefer")
    seen = await views(client, COMMUNICATOR)
    seen |= await views(client, ALBY_COMMUNICATOR)
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    own = {
        f"{t.hour:02d}:{t.minute:02d}"
        for day in (-1, 2)
        for t in (midnight + timedelta(days=day), (midnight + timedelta(days=day)).astimezone(STOCKHOLM))
    }
    clock = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?")
    times = {
        f"{url}: {m.group(0)}"
        for url, text in seen.items()
        for m in clock.finditer(re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S))
        if f"{int(m.group(1)):02d}:{m.group(2)}" not in own
    }
    assert not times, sorted(times)


async def test_a_wave_without_hidden_groups_counts_its_answers_and_codes_to_the_nearest_five(client):
    """Where the progress table hides no small group, the workspace list and the codes line say how many
    answered, rounded as the table's total is; to someone granted one organisation, neither says it."""
    await open_wave()
    await accounts()
    codes = iter((await issue_codes(SLUG, 40)).codes)
    for i in range(18):
        await answer(client, "region" if i % 3 else "alby", "chefer", knows=i % 2 == 0, code=next(codes))
    seen = await views(client, COMMUNICATOR)
    assert listed_count(seen["/arbeta"]) == shown_count("cirka 20")
    assert used_codes(seen["/arbeta/omgangar/testomgang"]) == shown_count("cirka 20")
    own = await views(client, ALBY_COMMUNICATOR)
    assert listed_count(own["/arbeta"]).value is None
    assert used_codes(own["/arbeta/omgangar/testomgang"]) is None
    assert "40 koder är utdelade" in own["/arbeta/omgangar/testomgang"]


async def results_now(client) -> dict:
    response = await client.get(
        f"/api/v1/plans/{PLAN}/results", headers={"authorization": f"Bearer {API_KEYS[COMMUNICATOR]}"}
    )
    assert response.status_code == 200, response.text
    return published_numbers(response.json())


async def test_closing_the_wave_right_after_one_answer_publishes_nothing_of_it(client):
    """The progress table shows the moment one person of the Region's Chefer has answered; closing the
    wave then (a release the communicator times) and opening and closing it again after one more answer
    publish the same numbers as the interim release before them: a gain of 1 to k−1 is never released."""
    one_more = await answered_and_released(client)
    before = await results_now(client)
    assert before, "the interim release publishes the wave"
    await sign_in_as(client, COMMUNICATOR)
    for _ in range(2):
        await one_more("region", "chefer", knows=False, channel="mote")
        page = await client.get(f"/arbeta/omgangar/{SLUG}")
        closed = await client.post(
            f"/arbeta/omgangar/{SLUG}/stang", data={"_csrf_token": csrf_token(page.text)}
        )
        assert closed.status_code == 303
        assert await results_now(client) == before
        reopened = await client.post(
            f"/arbeta/omgangar/{SLUG}/ateroppna", data={"_csrf_token": csrf_token(page.text)}
        )
        assert reopened.status_code == 303


async def test_an_organisation_communicator_does_not_see_another_organisations_first_answer(client):
    """Before anyone has answered, the wave page offers to delete the wave; after the first answer, only
    to archive it. To someone granted Alby only (who may do neither), the Region's first answer must not
    show that way."""
    await open_wave()
    await accounts()
    before = await views(client, ALBY_COMMUNICATOR)
    await answer(client, "region", "medarbetare")
    after = await views(client, ALBY_COMMUNICATOR)
    assert not differences(before, after), "\n".join(differences(before, after))


async def refusal(client, url: str) -> str:
    response = await client.delete(url, headers={"authorization": f"Bearer {API_KEYS[COMMUNICATOR]}"})
    assert response.status_code == 409, response.text
    return response.json()["detail"]


async def test_refusing_to_delete_the_wave_does_not_count_its_answers(client):
    """A wave with answers cannot be deleted; the refusal says so without the live count, which (20 here,
    the Chefer's total being 18) would give the hidden Medarbetare's 2 back."""
    await answered_and_released(client)
    said = await refusal(client, f"/api/v1/plans/{PLAN}/waves/{SLUG}")
    assert "har svar" in said
    assert not re.search(r"\d+ svar", said), said


async def test_refusing_to_delete_a_target_group_or_organisation_does_not_count_its_answers(client):
    """Refusals to delete the target group Medarbetare (2 answers, hidden everywhere) or an organisation
    (the Region's 14, Alby's 6: with the progress table they pin the Region's Medarbetare to 2)."""
    await answered_and_released(client)
    said = [
        await refusal(client, f"/api/v1/plans/{PLAN}/target-groups/medarbetare"),
        await refusal(client, f"/api/v1/plans/{PLAN}/organisations/region"),
        await refusal(client, f"/api/v1/plans/{PLAN}/organisations/alby"),
    ]
    assert not [s for s in said if re.search(r"\d+ svar", s)], said
