"""Per-question results: distributions, filters, cross-tabulations and free texts, from released counts only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from surveys.accounts.users import Role
from surveys.errors import Forbidden, Invalid, NotFound
from surveys.responding.submission import Submission, new_submission_key, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results import questions as q
from surveys.results.crosstab_cells import _flow_range, primary_cells
from surveys.results.plan_results import plan_results
from surveys.results.questions import crosstab, free_texts, question_results
from surveys.results.releases import make_release
from surveys.waves.lookup import clear_caches, find_wave
from surveys.waves.setup import close_early, reopen
from tests.support import make_wave

DEMO = "vasternorrland-2026"
K = 5


@pytest.fixture(autouse=True)
def _fresh_question_results():
    # Until surveys/caches.py lists this copy (forget_all empties it when a test switches databases).
    q.forget_question_results()
    yield


async def _respond(
    slug: str, org: str, group: str, times: int = 1, texts: dict | None = None, **chosen
) -> None:
    wave = await find_wave(slug)
    org_id = next(o.id for o in wave.organisations if o.code == org)
    group_id = next(g.id for g in wave.target_groups if g.code == group)
    answers = {code: tuple(v) if isinstance(v, list) else (v,) for code, v in chosen.items()}
    for _ in range(times):
        await store_submission(
            wave,
            Submission(org_id, group_id, CleanAnswers(answers, texts or {}), new_submission_key()),
            datetime.now(UTC),
        )


async def _close(slug: str) -> None:
    await close_early(slug)
    clear_caches()
    q.forget_question_results()


async def _everyone(slug: str) -> None:
    """Chefer: 12 in Alby, 14 in the region, with varied answers; a few medarbetare in Alby only."""
    await _respond(
        slug, "alby", "chefer", 5, kannedom="ja", forstaelse="4", chef="ja", texts={"fritext": "Mer möten."}
    )
    await _respond(slug, "alby", "chefer", 4, kannedom="nej", chef="nej")
    await _respond(slug, "alby", "chefer", 3, kannedom="ja", forstaelse="2", chef="nej", kanaler=["intranat"])
    await _respond(slug, "region", "chefer", 6, kannedom="ja", forstaelse="5", chef="ja", kanaler=["mote"])
    await _respond(slug, "region", "chefer", 5, kannedom="vet_ej", chef="nej", texts={"fritext": "Vet inte."})
    await _respond(slug, "region", "chefer", 3, kannedom="nej", chef="ja")
    await _respond(slug, "alby", "medarbetare", 3, kannedom="ja", forstaelse="3")


def _row(results, code):
    return next(r for r in results.questions if r.code == code)


def _counts(row) -> dict[str, int]:
    return {o.code: o.count for o in row.options}


# --- distributions ---------------------------------------------------------------------------------------


async def test_nothing_is_shown_before_the_wave_is_released(database):
    await make_wave("ingen")
    await _everyone("ingen")
    results = await question_results("testplan", "ingen", k=K)
    assert results.released_on is None and results.questions == ()


async def test_every_question_is_counted_from_the_release_not_from_later_answers(database):
    wave = await make_wave("frys")
    await _everyone("frys")
    await make_release(wave, today=date.today() + timedelta(days=2), interim=True)
    await _respond("frys", "alby", "chefer", 10, kannedom="nej")
    results = await question_results("testplan", "frys", k=K, group="chefer")
    kannedom = _row(results, "kannedom")
    assert results.preliminary and results.respondents == 26
    # 14 ja, 7 nej, 5 vet ej before the release; the 10 later "nej" are not there.
    assert _counts(kannedom) == {"ja": 15, "nej": 5, "vet_ej": 5}
    assert kannedom.base == 25
    assert [round(o.share, 3) for o in kannedom.options] == [
        round(14 / 26, 3),
        round(7 / 26, 3),
        round(5 / 26, 3),
    ]


async def test_counts_are_rounded_to_five_and_shares_are_of_the_exact_counts(database):
    await make_wave("runda")
    await _everyone("runda")
    await _close("runda")
    results = await question_results("testplan", "runda", k=K, group="chefer")
    for row in results.questions:
        assert all(o.count % 5 == 0 for o in row.options)
        assert row.base is None or row.base % 5 == 0
    chef = _row(results, "chef")
    assert [o.share for o in chef.options] == [14 / 26, 12 / 26]


async def test_a_question_with_several_answers_is_shared_out_among_those_who_were_asked(database):
    await make_wave("flera")
    await _everyone("flera")
    await _close("flera")
    kanaler = _row(await question_results("testplan", "flera", k=K, group="chefer"), "kanaler")
    # Everyone was asked (no show-if); 3 chose the intranet, 6 meetings, of 26.
    assert kanaler.multiple and kanaler.base == 25
    assert {o.code: o.share for o in kanaler.options} == {"intranat": 3 / 26, "mote": 6 / 26}


async def test_a_scale_has_a_mean_without_its_dont_know(database):
    await make_wave("skala")
    await _everyone("skala")
    await _close("skala")
    forstaelse = _row(await question_results("testplan", "skala", k=K, group="chefer"), "forstaelse")
    assert forstaelse.conditional
    assert forstaelse.mean == pytest.approx((5 * 4 + 3 * 2 + 6 * 5) / 14)


async def test_a_target_group_under_k_is_hidden_and_left_out_of_all_groups(database):
    await make_wave("liten")
    await _everyone("liten")
    await _close("liten")
    small = await question_results("testplan", "liten", k=K, group="medarbetare")
    assert small.filter_hidden and small.questions == () and small.respondents is None
    everyone = await question_results("testplan", "liten", k=K)
    assert everyone.respondents == 26  # the three medarbetare are not added in
    assert everyone.left_out_groups == ("Medarbetare",)
    assert _counts(_row(everyone, "kannedom"))["ja"] == 15  # 14 chefer, not 17


async def test_an_organisation_filter_shows_rounded_counts_of_a_shown_organisation(database):
    await make_wave("org")
    await _everyone("org")
    await _close("org")
    alby = await question_results("testplan", "org", k=K, group="chefer", organisation="alby")
    assert not alby.filter_hidden and alby.respondents_rounded and alby.respondents == 10
    assert [o.share for o in _row(alby, "kannedom").options] == [8 / 12, 4 / 12, 0]


async def test_an_organisation_the_release_hides_is_hidden_for_every_question(database):
    await make_wave("dold")
    await _respond("dold", "alby", "chefer", 3, kannedom="ja", chef="ja")
    await _respond("dold", "region", "chefer", 20, kannedom="nej", chef="nej")
    await _respond("dold", "region", "chefer", 20, kannedom="ja", chef="ja")
    await _close("dold")
    results = await plan_results("testplan", k=K)
    assert results.hidden["chefer/dold"] != ()  # the release hides an organisation of the group
    for org in results.hidden["chefer/dold"]:
        hidden = await question_results("testplan", "dold", k=K, group="chefer", organisation=org)
        assert hidden.filter_hidden and hidden.questions == ()


async def test_unknown_filters_are_not_found(database):
    await make_wave("okand")
    await _everyone("okand")
    await _close("okand")
    with pytest.raises(NotFound, match="målgrupp"):
        await question_results("testplan", "okand", k=K, group="nagon")
    with pytest.raises(NotFound, match="organisation"):
        await question_results("testplan", "okand", k=K, organisation="nagon")
    with pytest.raises(NotFound, match="mätomgång"):
        await question_results("testplan", "finns-inte", k=K)


async def test_a_question_that_gained_fewer_than_k_answers_keeps_its_last_numbers(database):
    wave = await make_wave("halv")
    await _everyone("halv")
    today = date.today()
    await make_release(wave, today=today + timedelta(days=1), interim=True)
    # Six more chefer (so the group is released anew), but only two of them are asked forstaelse.
    await _respond("halv", "region", "chefer", 2, kannedom="ja", forstaelse="1", chef="ja")
    await _respond("halv", "region", "chefer", 4, kannedom="nej", chef="nej")
    await make_release(wave, today=today + timedelta(days=2), interim=True)
    results = await question_results("testplan", "halv", k=K, group="chefer")
    assert results.respondents == 32
    forstaelse = _row(results, "forstaelse")
    assert forstaelse.released_on == today + timedelta(days=1)
    assert forstaelse.mean == pytest.approx((5 * 4 + 3 * 2 + 6 * 5) / 14)  # not the two new "1"
    assert _row(results, "kannedom").released_on is None


async def _three_organisations(slug: str) -> None:
    """A plan of its own with three organisations (a wave anyone can answer: parts need k + 1 = 6)."""
    from surveys.db import engine as db
    from surveys.db.tables import Plan
    from surveys.plans.plan_file import parse_plan, store_plan
    from surveys.questionnaires.model import parse_questionnaire
    from surveys.questionnaires.storage import store_questionnaire
    from surveys.waves.setup import create_wave
    from tests.support import QUESTIONNAIRE

    definition = {
        "plan": {"code": "treplan", "title": "Tre organisationer"},
        "organisations": [{"code": c, "name": f"Org {c}", "kind": "kommun"} for c in ("a", "b", "c")],
        "target_groups": [{"code": "chefer", "name": "Chefer"}],
        "effect_goals": [{"target_group": "chefer", "step": "L1", "target": 0.7, "wording": "Känna till."}],
        "channels": [{"code": "intranat", "name": "Intranät"}],
    }
    async with db.write_transaction():
        await store_plan(parse_plan(definition))
        plan_id = (await Plan.select(Plan.id).where(Plan.code == "treplan").first())["id"]
        questionnaire = parse_questionnaire({**QUESTIONNAIRE, "code": "treenkat"})
        await store_questionnaire(questionnaire, plan_id=plan_id)
        now = datetime.now(UTC)
        await create_wave(
            plan_code="treplan",
            questionnaire_code="treenkat",
            slug=slug,
            title="Omgång",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
        )


async def test_organisations_are_not_shown_for_a_question_whose_hidden_part_would_be_pinned(database):
    await _three_organisations("pinne")
    # "a" (3) is hidden and "b" (6) with it, so that the two are published only together; "c" is shown.
    # On kannedom the hidden two answered differently, but on kanaler all nine chose meetings: the group's
    # total minus "c" would say so of everyone in "a".
    await _respond("pinne", "a", "chefer", 3, kannedom="ja", kanaler=["mote"])
    await _respond("pinne", "b", "chefer", 3, kannedom="ja", kanaler=["mote"])
    await _respond("pinne", "b", "chefer", 3, kannedom="nej", kanaler=["mote"])
    await _respond("pinne", "c", "chefer", 10, kannedom="ja", kanaler=["mote"])
    await _respond("pinne", "c", "chefer", 10, kannedom="nej", kanaler=["intranat"])
    await _close("pinne")
    assert (await plan_results("treplan", k=K)).hidden["chefer/pinne"] == ("a", "b")
    whole = await question_results("treplan", "pinne", k=K, group="chefer")
    assert not _row(whole, "kanaler").hidden and not _row(whole, "kanaler").by_organisation
    assert _row(whole, "kannedom").by_organisation
    shown = await question_results("treplan", "pinne", k=K, group="chefer", organisation="c")
    assert _row(shown, "kanaler").hidden and not _row(shown, "kannedom").hidden
    assert (await question_results("treplan", "pinne", k=K, group="chefer", organisation="b")).filter_hidden


async def test_organisations_are_not_shown_for_a_question_all_the_hidden_ones_answered_alike(database):
    await _three_organisations("enig")
    # "a" (2) is hidden and "b" (8) with it; all ten of them said yes to "chef". The group's total less
    # "c" would say that both in "a" did, however large the two are together.
    await _respond("enig", "a", "chefer", 1, kannedom="ja", forstaelse="4", chef="ja")
    await _respond("enig", "a", "chefer", 1, kannedom="nej", chef="ja")
    await _respond("enig", "b", "chefer", 4, kannedom="ja", forstaelse="4", chef="ja")
    await _respond("enig", "b", "chefer", 4, kannedom="nej", chef="ja")
    await _respond("enig", "c", "chefer", 5, kannedom="ja", forstaelse="4", chef="ja")
    await _respond("enig", "c", "chefer", 5, kannedom="nej", chef="nej")
    await _close("enig")
    assert (await plan_results("treplan", k=K)).hidden["chefer/enig"] == ("a", "b")
    whole = await question_results("treplan", "enig", k=K, group="chefer")
    assert not _row(whole, "chef").hidden and not _row(whole, "chef").by_organisation
    assert _row(whole, "kannedom").by_organisation
    shown = await question_results("treplan", "enig", k=K, group="chefer", organisation="c")
    assert _row(shown, "chef").hidden


# --- the same organisations as the results pages ----------------------------------------------------------


async def test_the_demo_hides_the_same_organisations_as_the_results_pages(demo_database):
    results = await plan_results(DEMO, k=K)
    for wave in (w for w in results.waves if w.released_on):
        state = await q._state(DEMO, wave.slug, K, datetime.now(UTC))
        for group in state.groups:
            key = f"{group.code}/{wave.slug}"
            if key not in results.hidden:
                continue
            mine = (
                None if group.whole_hidden else tuple(sorted(state.organisations[o][0] for o in group.hidden))
            )
            assert mine == results.hidden[key], key


async def test_every_demo_filter_of_a_hidden_organisation_shows_nothing(demo_database):
    results = await plan_results(DEMO, k=K)
    checked = 0
    for key, hidden in results.hidden.items():
        group, wave = key.split("/")
        for org in hidden or ():
            page = await question_results(DEMO, wave, k=K, group=group, organisation=org)
            assert page.filter_hidden and page.questions == (), key
            checked += 1
    assert checked > 10


# --- cross-tabulations ---------------------------------------------------------------------------------


async def test_a_crosstab_hides_small_cells_so_that_none_follows_from_the_totals(demo_database):
    table = await crosstab(DEMO, None, "kannedom", "chef-informerat", k=K, group="kommunala-chefer")
    assert not table.hidden and table.reason is None
    hidden = {(i, j) for i, row in enumerate(table.cells) for j, c in enumerate(row) if c.count is None}
    assert hidden, "the demo's table has small cells"
    assert all(c.count % 5 == 0 for row in table.cells for c in row if c.count is not None)
    # The true table behind it: every hidden small cell keeps a range at least k wide (or as wide as its
    # row and column totals allow), given the totals and the shown cells.
    state = await q._state(DEMO, None, K, datetime.now(UTC))
    group = next(g for g in state.groups if g.code == "kommunala-chefer")
    first, second = q._question(state, "kannedom"), q._question(state, "chef-informerat")
    pairs, _earlier = await q.released_crosstab(
        state.wave["id"], group.release.number, first.id, second.id, datetime.now(UTC)
    )
    truth = q._table(state, group, group.release, pairs, first, second)
    for cell in primary_cells(truth, K):
        assert cell in hidden
        low, high = _flow_range(truth, hidden, cell)
        rows, columns = [sum(r) for r in truth], [sum(c) for c in zip(*truth, strict=True)]
        frechet = min(rows[cell[0]], columns[cell[1]]) - max(0, rows[cell[0]] + columns[cell[1]] - sum(rows))
        assert high - low >= min(K, frechet), cell


async def test_a_crosstab_over_all_groups_adds_up_only_groups_with_nothing_hidden(demo_database):
    table = await crosstab(DEMO, None, "kannedom", "chef-informerat", k=K)
    assert table.included_groups and table.left_out_groups
    assert all(c.count is not None for row in table.cells for c in row)


async def test_a_crosstab_is_not_made_by_organisation_nor_of_an_open_wave(database):
    await make_wave("kors")
    await _everyone("kors")
    wave = (await find_wave("kors")).id
    await make_release(wave, today=date.today() + timedelta(days=2), interim=True)
    open_table = await crosstab("testplan", "kors", "kannedom", "chef", k=K, group="chefer")
    assert open_table.cells == () and "stängt" in open_table.reason
    by_org = await crosstab("testplan", "kors", "kannedom", "chef", k=K, group="chefer", organisation="alby")
    assert by_org.cells == () and "organisation" in by_org.reason


async def test_a_crosstab_needs_two_different_questions_with_one_answer_each(database):
    await make_wave("fel")
    await _everyone("fel")
    await _close("fel")
    with pytest.raises(Invalid, match="korstabuleras"):
        await crosstab("testplan", "fel", "kannedom", "kanaler", k=K)
    with pytest.raises(Invalid, match="två olika"):
        await crosstab("testplan", "fel", "kannedom", "kannedom", k=K)
    with pytest.raises(NotFound):
        await crosstab("testplan", "fel", "kannedom", "saknas", k=K)


async def test_a_crosstab_frozen_at_close_is_not_changed_by_answers_after_reopening(database):
    await make_wave("igen")
    await _everyone("igen")
    await _close("igen")
    first = await crosstab("testplan", "igen", "kannedom", "chef", k=K, group="chefer")
    assert first.total == 26
    await reopen("igen", datetime.now(UTC))
    clear_caches()
    await _respond("igen", "region", "chefer", 2, kannedom="ja", chef="ja")
    q.forget_question_results()
    again = await crosstab("testplan", "igen", "kannedom", "chef", k=K, group="chefer")
    assert again.total == first.total and again.cells == first.cells


async def test_a_crosstab_at_the_close_hides_what_came_in_since_an_interim_release_that_fixed_its_cells(
    database,
):
    wave = await make_wave("sen")
    # At the interim release all twelve rated 9 or 10, so its pages fixed the table of the scale's bands
    # against "chef" then: six said their manager had told them, six not.
    ja, nej = {"kannedom": "ja", "forstaelse": "4"}, {"kannedom": "nej"}
    for org in ("alby", "region"):
        await _respond("sen", org, "chefer", 2, chef="ja", betyg="9", **ja)
        await _respond("sen", org, "chefer", 1, chef="ja", betyg="10", **nej)
        await _respond("sen", org, "chefer", 1, chef="nej", betyg="10", **ja)
        await _respond("sen", org, "chefer", 2, chef="nej", betyg="9", **nej)
    await make_release(wave, today=date.today() + timedelta(days=1), interim=True)
    clear_caches()
    q.forget_question_results()
    interim = await question_results("testplan", "sen", k=K, group="chefer")
    assert not interim.filter_hidden and _row(interim, "chef").options[0].share == 0.5
    # Fourteen more; of the three who rated 9 or 10, one said yes. Shown whole, the table at the close
    # would say so: 7 − 6.
    await _respond("sen", "alby", "chefer", 1, chef="ja", betyg="9", **ja)
    await _respond("sen", "alby", "chefer", 2, chef="nej", betyg="10", **nej)
    await _respond("sen", "alby", "chefer", 3, chef="ja", betyg="3", **ja)
    await _respond("sen", "alby", "chefer", 3, chef="nej", betyg="5", **nej)
    await _respond("sen", "region", "chefer", 2, chef="ja", betyg="4", **ja)
    await _respond("sen", "region", "chefer", 3, chef="nej", betyg="2", **nej)
    await _close("sen")
    table = await crosstab("testplan", "sen", "betyg", "chef", k=K, group="chefer")
    assert table.reason is None and not table.hidden and table.total == 26
    assert table.rows[2] == "9–10"
    assert any(c.count is None for c in table.cells[2][:2]), "the gain of one since the interim shows through"


# --- free texts ----------------------------------------------------------------------------------------


async def test_a_reader_may_not_read_free_texts(database):
    await make_wave("las")
    await _everyone("las")
    await _close("las")
    with pytest.raises(Forbidden):
        await free_texts("testplan", "las", "fritext", role=Role.READER, k=K)


async def test_a_communicator_reads_the_released_texts_of_a_closed_wave(database):
    await make_wave("text")
    await _everyone("text")
    await _close("text")
    texts = await free_texts("testplan", "text", "fritext", role=Role.COMMUNICATOR, k=K, group="chefer")
    assert sorted(texts.texts) == ["Mer möten."] * 5 + ["Vet inte."] * 5
    assert texts.count == 10 and texts.pages == 1


async def test_texts_are_not_shown_while_a_wave_is_open(database):
    wave = await make_wave("oppen-text")
    await _everyone("oppen-text")
    await make_release(wave, today=date.today() + timedelta(days=2), interim=True)
    texts = await free_texts("testplan", "oppen-text", "fritext", role=Role.COMMUNICATOR, k=K)
    assert texts.texts == () and "stängt" in texts.reason
    assert _row(await question_results("testplan", "oppen-text", k=K), "fritext").texts is None


async def test_texts_of_a_group_under_k_or_a_hidden_organisation_are_not_shown(database):
    await make_wave("smal")
    await _everyone("smal")
    await _respond("smal", "alby", "medarbetare", 1, kannedom="nej", texts={"fritext": "Bara jag."})
    await _close("smal")
    small = await free_texts("testplan", "smal", "fritext", role=Role.ADMIN, k=K, group="medarbetare")
    assert small.hidden and small.texts == ()
    everyone = await free_texts("testplan", "smal", "fritext", role=Role.ADMIN, k=K)
    assert "Bara jag." not in everyone.texts


async def test_texts_released_at_close_stay_those_after_the_wave_is_opened_again(database):
    await make_wave("senare")
    await _everyone("senare")
    await _close("senare")
    before = await free_texts("testplan", "senare", "fritext", role=Role.COMMUNICATOR, k=K, group="chefer")
    await reopen("senare", datetime.now(UTC))
    clear_caches()
    await _respond("senare", "alby", "chefer", 1, kannedom="nej", texts={"fritext": "Kom in sent."})
    q.forget_question_results()
    after = await free_texts("testplan", "senare", "fritext", role=Role.COMMUNICATOR, k=K, group="chefer")
    assert "Kom in sent." not in after.texts and sorted(after.texts) == sorted(before.texts)


async def test_texts_are_in_an_order_that_is_neither_the_ids_nor_the_same_across_questions(demo_database):
    texts = await free_texts(DEMO, None, "behov", role=Role.COMMUNICATOR, k=K, group="medarbetare")
    assert texts.pages > 1 and len(texts.texts) == q.TEXTS_PER_PAGE
    ids = list(range(1, 1000))
    assert sorted(ids, key=lambda i: q._text_order(1, i)) != ids
    assert sorted(ids, key=lambda i: q._text_order(1, i)) != sorted(ids, key=lambda i: q._text_order(2, i))


async def test_a_show_if_text_question_needs_k_texts(database):
    questionnaire = {
        "code": "villkor",
        "title": "Villkor",
        "questions": [
            {
                "code": "kannedom",
                "kind": "single",
                "text": "Känner du till planen?",
                "options": [{"code": "ja", "text": "Ja"}, {"code": "nej", "text": "Nej"}],
            },
            {
                "code": "varfor",
                "kind": "text",
                "text": "Varför inte?",
                "required": False,
                "show_if": {"question": "kannedom", "any_of": ["nej"]},
            },
        ],
    }
    await make_wave("villkor", questionnaire=questionnaire)
    await _respond("villkor", "region", "chefer", 20, kannedom="ja")
    await _respond("villkor", "region", "chefer", 2, kannedom="nej", texts={"varfor": "Ingen sa något."})
    await _close("villkor")
    texts = await free_texts("testplan", "villkor", "varfor", role=Role.COMMUNICATOR, k=K, group="chefer")
    assert texts.hidden and texts.texts == ()
