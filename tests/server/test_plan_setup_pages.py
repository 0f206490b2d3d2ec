"""A second county from an empty database, in the browser's forms only: Västra Götaland's plan (the region
and its 49 municipalities in one choice), target groups, goals, channels, activities and a wave; then next
year's plan as a copy, archiving, and the plan's file out and back in."""

from __future__ import annotations

from urllib.parse import urlencode

from surveys.accounts.users import Role
from surveys.db.tables import (
    Activity,
    Channel,
    EffectGoal,
    Organisation,
    Plan,
    PlanOrganisation,
    TargetGroup,
    Wave,
)
from surveys.plans.lookup import plan_row
from surveys.questionnaires.model import parse_questionnaire
from surveys.questionnaires.storage import store_questionnaire
from tests.support import QUESTIONNAIRE, csrf_token, make_wave, sign_in

PLAN = "/arbeta/planer/vastra-gotaland-2027"

GROUPS = [
    ("Chefer inom vård och omsorg", "Första linjens chefer i kommunerna och regionen."),
    ("Medarbetare i primärvården", "Kommunal och regional primärvård."),
    ("Förtroendevalda", "Ledamöter i nämnder och styrelser."),
]
GOALS = [
    ("chefer-inom-vard-och-omsorg", "L1", "70", "2027-12-31", "Chefer känner till färdplanens målbild."),
    ("chefer-inom-vard-och-omsorg", "L2", "0,5", "2028-12-31", "Chefer förstår vad nära vård innebär."),
    ("medarbetare-i-primarvarden", "L1", "60 %", "2027-12-31", "Medarbetare känner till färdplanen."),
    ("fortroendevalda", "L4", "40", "2028-12-31", "Förtroendevalda bidrar aktivt till omställningen."),
]
CHANNELS = ["Intranät", "Film", "Underlag för dialog"]


async def post(client, url: str, fields) -> object:
    """A form post as a browser sends it; `fields` may repeat a name (ticked checkboxes)."""
    return await client.post(
        url,
        content=urlencode(fields, doseq=True),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def token(client, path: str = "/arbeta") -> str:
    return csrf_token((await client.get(path)).text)


async def new_plan(client, **fields) -> object:
    values = {
        "title": "Färdplan nära vård Västra Götaland – kommunikationsplan 2027",
        "county": "14",
        "organisations": "county",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "copy_from": "",
        "code": "",
    }
    return await post(client, "/arbeta/planer/ny", {"_csrf_token": await token(client), **values, **fields})


async def test_vastra_gotaland_is_set_up_from_an_empty_database_with_the_forms_alone(client):
    await sign_in(client, Role.COMMUNICATOR)
    first = await client.get("/arbeta")
    assert "effekt load-plan" not in first.text and 'href="/arbeta/planer/ny"' in first.text

    # The plan: the region and its 49 municipalities in one choice.
    created = await new_plan(client)
    assert created.status_code == 303 and created.headers["location"] == f"{PLAN}?sparat=ny"
    plan = await plan_row("vastra-gotaland-2027")
    assert plan["county"] == "Västra Götaland"
    organisations = await Organisation.select().where(Organisation.plan == plan["id"])
    assert len(organisations) == 50 and await PlanOrganisation.count() == 50
    by_code = {o["official_code"]: o for o in organisations}
    assert by_code["14"]["name"] == "Västra Götalandsregionen" and by_code["14"]["kind"] == "region"
    assert by_code["1480"]["name"] == "Göteborgs kommun" and by_code["1480"]["code"] == "goteborg"

    # A kommunalförbund is added by name.
    csrf = await token(client, f"{PLAN}/organisationer")
    added = await post(
        client, f"{PLAN}/organisationer", {"_csrf_token": csrf, "name": "VästKom", "kind": "annan"}
    )
    assert added.status_code == 303

    # Target groups, goals in percent (a share and a percent sign read by the same rule), channels.
    names = "\n".join(name for name, _description in GROUPS)
    response = await post(client, f"{PLAN}/malgrupper", {"_csrf_token": csrf, "names": names})
    assert response.status_code == 303
    for group, step, target, deadline, wording in GOALS:
        response = await post(
            client,
            f"{PLAN}/mal",
            {"_csrf_token": csrf, "target_group": group, "step": step, "target": target,
             "deadline": deadline, "wording": wording},
        )  # fmt: skip
        assert response.status_code == 303, response.text
    goals = await EffectGoal.select().order_by(EffectGoal.id)
    assert [(g["step"], g["target_share"]) for g in goals] == [
        ("L1", 0.7),
        ("L2", 0.5),
        ("L1", 0.6),
        ("L4", 0.4),
    ]
    channels = await post(client, f"{PLAN}/kanaler", {"_csrf_token": csrf, "names": "\n".join(CHANNELS)})
    assert channels.status_code == 303

    # Activities from the strategy's communication material.
    for title, channel, group, starts, step in [
        ("Presentera färdplanen för ledningsgrupperna", "underlag-for-dialog", "chefer-inom-vard-och-omsorg",
         "2027-02-01", "L1"),
        ("Sprid filmen om målbilden", "film", "medarbetare-i-primarvarden", "2027-03-15", "L1"),
        ("Dialog på arbetsplatsträffar", "underlag-for-dialog", "chefer-inom-vard-och-omsorg", "2027-04-01",
         "L2"),
    ]:  # fmt: skip
        response = await post(
            client,
            f"{PLAN}/aktiviteter",
            {"_csrf_token": csrf, "title": title, "starts_on": starts, "channel": channel,
             "target_group": group, "step": step, "status": "planerad"},
        )  # fmt: skip
        assert response.status_code == 303, response.text
    assert await Activity.count() == 3 and await Channel.count() == 3 and await TargetGroup.count() == 3

    page = await client.get(PLAN)
    assert page.status_code == 200
    assert "Chefer känner till färdplanens målbild." in page.text and 'value="70"' in page.text

    # A questionnaire of the plan's, then a wave: offered only that plan's questionnaires.
    async_plan = plan["id"]
    await store_questionnaire(parse_questionnaire(QUESTIONNAIRE), plan_id=async_plan)
    form = await client.get("/arbeta/omgangar/ny")
    assert form.status_code == 200 and "Testenkäten" in form.text and 'name="target_group"' in form.text
    wave = await post(
        client,
        "/arbeta/omgangar/ny",
        {"_csrf_token": csrf, "plan": "vastra-gotaland-2027", "questionnaire": "testenkat",
         "title": "Våren 2027", "slug": "", "opens": "2027-03-01T08:00", "closes": "2027-03-19T17:00",
         "target_group": [g for g, *_rest in GOALS[:2]], "organisation": ["goteborg", "region-vastra-gotaland"]},
    )  # fmt: skip
    assert wave.status_code == 303 and wave.headers["location"] == "/arbeta/omgangar/varen-2027"
    stored = await Wave.select(Wave.plan).where(Wave.slug == "varen-2027").first()
    assert stored["plan"] == plan["id"]
    assert (await client.get("/e/varen-2027/o/goteborg")).status_code == 200


async def test_a_new_plan_with_bad_values_names_each_field_in_swedish_and_stores_nothing(client):
    await sign_in(client, Role.COMMUNICATOR)
    response = await new_plan(
        client, title="", county="99", period_start="1 januari 2027", period_end="2026-12-31", code="Min Plan"
    )
    assert response.status_code == 422
    for message in (
        "Skriv planens namn.",
        "Välj ett av Sveriges 21 län, eller inget.",
        "Skriv datumet som ÅÅÅÅ-MM-DD",
        "Koden får bara innehålla små bokstäver",
    ):
        assert message in response.text
    assert await Plan.count() == 0 and await Organisation.count() == 0


async def test_a_second_county_using_the_first_ones_codes_gets_organisations_of_its_own(client):
    await make_wave()  # the test plan: "alby" and "region", Alby kommun and Regionen
    await sign_in(client, Role.COMMUNICATOR)
    await new_plan(client, organisations="none")
    csrf = await token(client, f"{PLAN}/organisationer")
    await post(
        client,
        f"{PLAN}/organisationer",
        {"_csrf_token": csrf, "name": "Region", "kind": "region", "code": "region"},
    )
    await post(
        client, f"{PLAN}/organisationer/region", {"_csrf_token": csrf, "name": "VGR", "kind": "region"}
    )
    names = {
        r["plan.code"]: r["name"]
        for r in await Organisation.select(Organisation.plan.code, Organisation.name).where(
            Organisation.code == "region"
        )
    }
    assert names == {"testplan": "Regionen", "vastra-gotaland-2027": "VGR"}


async def test_the_organisation_picker_adds_a_whole_county_in_one_press_and_skips_those_already_there(client):
    await sign_in(client, Role.COMMUNICATOR)
    await new_plan(client, organisations="region", county="22")
    plan = "/arbeta/planer/vasternorrland-2027"
    page = await client.get(f"{plan}/organisationer")
    assert "Lägg till Region Västernorrland och alla 7 kommuner i Västernorrlands län" in page.text
    response = await post(
        client,
        f"{plan}/organisationer/officiella",
        {"_csrf_token": csrf_token(page.text), "county": "22", "official": "2480"},
    )
    assert response.status_code == 303
    codes = sorted(r["official_code"] for r in await Organisation.select(Organisation.official_code))
    assert codes == sorted(["22", "2260", "2262", "2280", "2281", "2282", "2283", "2284", "2480"])


async def test_next_years_plan_starts_from_this_years_without_its_waves_or_answers(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    response = await new_plan(
        client, copy_from="testplan", county="", title="Testplanen 2028", code="testplan-2028"
    )
    assert response.status_code == 303
    copy = await plan_row("testplan-2028")
    groups = await TargetGroup.select(TargetGroup.code).where(TargetGroup.plan == copy["id"])
    assert sorted(g["code"] for g in groups) == ["chefer", "medarbetare"]
    assert await EffectGoal.count().where(EffectGoal.plan == copy["id"]) == 1
    orgs = await Organisation.select(Organisation.code, Organisation.id).where(
        Organisation.plan == copy["id"]
    )
    original = await Organisation.select(Organisation.id).where(Organisation.plan.code == "testplan")
    assert sorted(o["code"] for o in orgs) == ["alby", "region"]
    assert not {o["id"] for o in orgs} & {o["id"] for o in original}  # copies, never shared rows
    assert await Wave.count().where(Wave.plan == copy["id"]) == 0


async def test_a_plan_with_waves_is_archived_not_deleted_and_leaves_the_lists(client):
    await make_wave(status="closed")
    await sign_in(client, Role.COMMUNICATOR)
    csrf = await token(client, "/arbeta/planer/testplan/installningar")
    refused = await post(client, "/arbeta/planer/testplan/ta-bort", {"_csrf_token": csrf, "confirm": "ja"})
    assert refused.status_code == 409 and "Arkivera den i stället" in refused.text
    archived = await post(client, "/arbeta/planer/testplan/arkivera", {"_csrf_token": csrf})
    assert archived.status_code == 303
    assert (await plan_row("testplan"))["archived"]
    assert "Arkiverade planer (1)" in (await client.get("/arbeta")).text
    assert (await client.get("/arbeta/omgangar/ny?plan=testplan")).status_code == 404
    await post(client, "/arbeta/planer/testplan/aterstall", {"_csrf_token": csrf})
    assert not (await plan_row("testplan"))["archived"]


async def test_an_unused_plan_is_deleted_only_when_confirmed(client):
    await sign_in(client, Role.COMMUNICATOR)
    await new_plan(client)
    csrf = await token(client, f"{PLAN}/installningar")
    unconfirmed = await post(client, f"{PLAN}/ta-bort", {"_csrf_token": csrf})
    assert unconfirmed.status_code == 422 and await Plan.count() == 1
    deleted = await post(client, f"{PLAN}/ta-bort", {"_csrf_token": csrf, "confirm": "ja"})
    assert deleted.status_code == 303
    assert await Plan.count() == 0 and await Organisation.count() == 0


async def test_a_goal_is_added_edited_in_percent_and_removed_on_the_plan_page(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    csrf = await token(client, "/arbeta/planer/testplan")
    base = {"_csrf_token": csrf, "target_group": "medarbetare", "step": "L2", "deadline": "2027-06-30",
            "wording": "Förstå varför."}  # fmt: skip
    for target, message in (
        ("0,005", "mellan 1 och 100"),
        ("150", "mellan 1 och 100"),
        ("sjuttio", "procent"),
    ):
        refused = await post(client, "/arbeta/planer/testplan/mal", {**base, "target": target})
        assert refused.status_code == 422 and message in refused.text
    assert await EffectGoal.count() == 1
    added = await post(client, "/arbeta/planer/testplan/mal", {**base, "target": "0,9"})
    assert added.status_code == 303
    goal = await EffectGoal.select().where(EffectGoal.step == "L2").first()
    assert goal["target_share"] == 0.9  # 0,9 is a share: 90 %, never 0.9 %
    page = await client.get("/arbeta/planer/testplan")
    assert f'id="goal-{goal["id"]}-target" name="target" value="90"' in page.text
    edited = await post(
        client,
        f"/arbeta/planer/testplan/mal/{goal['id']}",
        {"_csrf_token": csrf, "target": "72,5", "deadline": "2027-06-30", "wording": "Förstå.", "step": "L3"},
    )
    assert edited.status_code == 303
    changed = await EffectGoal.select().where(EffectGoal.id == goal["id"]).first()
    assert (changed["target_share"], changed["step"]) == (0.725, "L3")
    removed = await post(client, f"/arbeta/planer/testplan/mal/{goal['id']}/ta-bort", {"_csrf_token": csrf})
    assert removed.status_code == 303 and await EffectGoal.count() == 1


async def test_a_target_group_with_a_wave_is_archived_and_an_unused_one_deleted(client):
    await make_wave(target_groups=["chefer"])
    await sign_in(client, Role.COMMUNICATOR)
    csrf = await token(client, "/arbeta/planer/testplan/malgrupper")
    refused = await post(client, "/arbeta/planer/testplan/malgrupper/chefer/ta-bort", {"_csrf_token": csrf})
    assert refused.status_code == 409 and "Arkivera den i stället" in refused.text
    assert await TargetGroup.count() == 2
    deleted = await post(
        client, "/arbeta/planer/testplan/malgrupper/medarbetare/ta-bort", {"_csrf_token": csrf}
    )
    assert deleted.status_code == 303 and await TargetGroup.count() == 1
    archived = await post(client, "/arbeta/planer/testplan/malgrupper/chefer/arkivera", {"_csrf_token": csrf})
    assert archived.status_code == 303
    form = await client.get("/arbeta/omgangar/ny?plan=testplan")
    assert 'id="tg-chefer"' not in form.text


async def test_the_plan_file_goes_out_and_back_in_showing_its_changes_first(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    exported = await client.get("/arbeta/planer/testplan/plan.toml")
    assert exported.status_code == 200 and 'code = "testplan"' in exported.text
    page = await client.get("/arbeta/planer/las-in?plan=testplan")
    changed = exported.text.replace('name = "Chefer"', 'name = "Alla chefer"').replace(
        "target = 70", "target = 75"
    )

    async def upload(text: str, name: str = "plan.toml"):
        return await client.post(
            "/arbeta/planer/las-in",
            data={"_csrf_token": csrf_token(page.text), "plan": "testplan"},
            files={"file": (name, text.encode(), "application/toml")},
        )

    same = await upload(exported.text)
    assert same.status_code == 200 and "Filen är likadan som planen." in same.text
    preview = await upload(changed)
    assert preview.status_code == 200
    assert "Namn: Chefer → Alla chefer" in preview.text and "Mål i procent: 70 → 75" in preview.text
    assert (await TargetGroup.select().where(TargetGroup.code == "chefer").first())["name"] == "Chefer"
    packed = preview.text.split('name="file" value="', 1)[1].split('"', 1)[0]
    applied = await post(
        client, "/arbeta/planer/las-in/genomfor", {"_csrf_token": csrf_token(preview.text), "file": packed}
    )
    assert applied.status_code == 303
    assert (await TargetGroup.select().where(TargetGroup.code == "chefer").first())["name"] == "Alla chefer"
    assert (await EffectGoal.select().first())["target_share"] == 0.75

    # A file that would remove a target group with a wave is refused whole, saying what to do.
    without = changed.split("[[target_groups]]")
    orphaning = "[[target_groups]]".join(without[:1] + without[2:]).replace('"medarbetare"', '"chefer"')
    refused = await upload(orphaning)
    assert refused.status_code == 409
    assert "Målgruppen Medarbetare (medarbetare) finns inte i filen" in refused.text
    assert "archived = true" in refused.text and "Genomför ändringarna" not in refused.text
    assert await TargetGroup.count() == 2


async def test_a_plan_file_for_another_plan_is_refused_on_this_plans_page(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/planer/las-in?plan=testplan")
    exported = (await client.get("/arbeta/planer/testplan/plan.toml")).text
    response = await client.post(
        "/arbeta/planer/las-in",
        data={"_csrf_token": csrf_token(page.text), "plan": "testplan"},
        files={
            "file": (
                "plan.toml",
                exported.replace('code = "testplan"', 'code = "annan"').encode(),
                "text/plain",
            )
        },
    )
    assert response.status_code == 422 and "gäller planen med koden annan" in response.text
    assert await Plan.count() == 1


async def test_a_plan_file_with_a_deadline_in_words_is_refused_on_the_page_naming_its_line(client):
    await sign_in(client, Role.COMMUNICATOR)
    from surveys.plans.plan_file import TEMPLATE_FILE

    text = TEMPLATE_FILE.read_text(encoding="utf-8").replace(
        "deadline = 2027-12-31", 'deadline = "31 december 2027"'
    )
    page = await client.get("/arbeta/planer/las-in")
    response = await client.post(
        "/arbeta/planer/las-in",
        data={"_csrf_token": csrf_token(page.text)},
        files={"file": ("plan.toml", text.encode(), "application/toml")},
    )
    assert response.status_code == 422
    assert "effektmål 1 (deadline, rad " in response.text and "utan citattecken" in response.text
    assert await Plan.count() == 0 and await Organisation.count() == 0


async def test_the_templates_download_and_the_empty_template_loads_as_a_new_plan(client):
    await sign_in(client, Role.COMMUNICATOR)
    workbook = await client.get("/arbeta/planer/mall.xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    toml = await client.get("/arbeta/planer/mall.toml")
    assert toml.status_code == 200 and "official_code" in toml.text
    page = await client.get("/arbeta/planer/las-in")
    response = await client.post(
        "/arbeta/planer/las-in",
        data={"_csrf_token": csrf_token(page.text)},
        files={"file": ("plan.toml", toml.content, "application/toml")},
    )
    assert (
        response.status_code == 303
        and response.headers["location"] == "/arbeta/planer/min-plan-2027?sparat=fil"
    )


async def test_several_target_groups_or_channels_at_once_are_all_added_or_none(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    csrf = await token(client, "/arbeta/planer/testplan/malgrupper")
    refused = await post(
        client, "/arbeta/planer/testplan/malgrupper", {"_csrf_token": csrf, "names": "Politiker\n\nChefer\n"}
    )
    assert refused.status_code == 422 and "Rad 3: Chefer finns redan i planen." in refused.text
    assert "Politiker" in refused.text  # what was typed stays in the box
    assert await TargetGroup.count() == 2
    added = await post(
        client, "/arbeta/planer/testplan/malgrupper", {"_csrf_token": csrf, "names": "Politiker\nInvånare"}
    )
    assert added.status_code == 303
    assert [g["code"] for g in await TargetGroup.select(TargetGroup.code).order_by(TargetGroup.position)] == [
        "chefer", "medarbetare", "politiker", "invanare"
    ]  # fmt: skip
    long = await post(
        client, "/arbeta/planer/testplan/kanaler", {"_csrf_token": csrf, "names": "Poddar\n" + "x" * 201}
    )
    assert long.status_code == 422 and "Rad 2: Högst 200 tecken." in long.text
    assert await Channel.count() == 1


async def test_a_wave_is_deleted_or_archived_on_its_page_only_when_the_box_is_ticked(client):
    await make_wave()
    await make_wave("andra-omgangen")
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/andra-omgangen")
    assert "Ta bort mätomgången" in page.text
    csrf = csrf_token(page.text)
    unticked = await post(client, "/arbeta/omgangar/andra-omgangen/ta-bort", {"_csrf_token": csrf})
    assert unticked.headers["location"].endswith("meddelande=bekrafta#ta-bort") and await Wave.count() == 2
    deleted = await post(
        client, "/arbeta/omgangar/andra-omgangen/ta-bort", {"_csrf_token": csrf, "confirm": "ja"}
    )
    assert deleted.status_code == 303 and await Wave.count() == 1
    archived = await post(
        client, "/arbeta/omgangar/testomgang/arkivera", {"_csrf_token": csrf, "confirm": "ja"}
    )
    assert archived.headers["location"] == "/arbeta?meddelande=omgang-arkiverad"
    row = await Wave.select().first()
    assert row["archived"] and row["closed_early"]
    assert "Arkiverade mätomgångar (1)" in (await client.get("/arbeta")).text


async def test_the_plans_name_county_and_period_are_changed_on_its_settings_page(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    csrf = await token(client, "/arbeta/planer/testplan/installningar")
    fields = {"_csrf_token": csrf, "title": "Testplanen 2027", "county": "24", "description": "",
              "period_start": "2027-01-01", "period_end": "2026-12-31"}  # fmt: skip
    refused = await post(client, "/arbeta/planer/testplan/installningar", fields)
    assert refused.status_code == 422 and "Slutdatumet kan inte vara före startdatumet." in refused.text
    assert (await plan_row("testplan"))["title"] == "Testplanen"
    saved = await post(
        client, "/arbeta/planer/testplan/installningar", {**fields, "period_end": "2027-12-31"}
    )
    assert saved.status_code == 303
    plan = await plan_row("testplan")
    assert (plan["title"], plan["county"], str(plan["period_end"])) == (
        "Testplanen 2027",
        "Västerbotten",
        "2027-12-31",
    )
