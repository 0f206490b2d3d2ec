"""Editing a plan in the browser and through the API: organisations, channels, activities, target groups,
sizes from an HR file, reach typed in by hand. Bad input gets a Swedish message and saves nothing."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from surveys.accounts.users import Role, create_token
from surveys.db.tables import (
    Activity,
    Channel,
    Organisation,
    PlanOrganisation,
    ReachFigure,
    TargetGroup,
    TargetGroupSize,
)
from surveys.plans.editing import ActivityInput, plan_overview, save_activity
from tests.support import VALID_ANSWERS, csrf_token, form_body, make_wave, sign_in

PLAN = "/arbeta/planer/testplan"


async def post(client, url: str, fields) -> object:
    """A form post as a browser sends it; `fields` may repeat a name (ticked checkboxes)."""
    return await client.post(
        url,
        content=urlencode(fields, doseq=True),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def signed_in(client) -> str:
    """A communicator on `client`; returns a CSRF token for the forms."""
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    return csrf_token((await client.get(PLAN)).text)


async def snapshot() -> tuple:
    """Everything the plan editing forms could change, to show that a refused form changed nothing."""
    return (
        await Organisation.select().order_by(Organisation.id),
        await PlanOrganisation.select().order_by(PlanOrganisation.id),
        await TargetGroup.select().order_by(TargetGroup.id),
        await TargetGroupSize.select().order_by(TargetGroupSize.id),
        await Channel.select().order_by(Channel.id),
        await Activity.select().order_by(Activity.id),
        await ReachFigure.select().order_by(ReachFigure.id),
    )


def summary_links(html: str) -> list[str]:
    """The fields the error summary links to."""
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


async def test_a_communicator_adds_renames_and_deactivates_an_organisation(client):
    token = await signed_in(client)
    response = await client.post(
        f"{PLAN}/organisationer",
        data={"_csrf_token": token, "name": "Timrå kommun", "kind": "kommun", "code": ""},
    )
    assert response.status_code == 303 and response.headers["location"].endswith("/organisationer?sparat=ja")
    page = await client.get(response.headers["location"])
    assert "Timrå kommun" in page.text and "Ändringen är sparad." in page.text
    await client.post(
        f"{PLAN}/organisationer/timra", data={"_csrf_token": token, "name": "Timrå", "kind": "kommun"}
    )
    # "Timrå kommun" written in full is the municipality of the official list: renamed, it keeps its code.
    assert '>Timrå <span class="help">(2262)</span>' in (await client.get(f"{PLAN}/organisationer")).text
    await client.post(f"{PLAN}/organisationer/alby/inaktivera", data={"_csrf_token": token})
    new_wave = await client.get("/arbeta/omgangar/ny?plan=testplan")
    assert "Alby kommun" not in new_wave.text
    page = await client.get(f"{PLAN}/organisationer")
    assert "Inaktiv" in page.text and "Gör Alby kommun aktiv igen" in page.text
    await client.post(f"{PLAN}/organisationer/alby/aktivera", data={"_csrf_token": token})
    assert "Alby kommun" in (await client.get("/arbeta/omgangar/ny?plan=testplan")).text


async def test_an_organisation_with_answers_cannot_be_removed_but_can_be_deactivated(client):
    token = await signed_in(client)
    survey = await client.get("/e/testomgang/o/alby")
    answered = await post(
        client, "/e/testomgang/o/alby", form_body(survey.text, VALID_ANSWERS, target_group="chefer")
    )
    assert answered.status_code == 303
    before = await snapshot()
    response = await client.post(f"{PLAN}/organisationer/alby/ta-bort", data={"_csrf_token": token})
    assert response.status_code == 409
    assert "Alby kommun kan inte tas bort" in response.text and "Gör den inaktiv i stället" in response.text
    assert await snapshot() == before


async def test_an_unused_organisation_is_removed_for_good(client):
    token = await signed_in(client)
    await client.post(
        f"{PLAN}/organisationer", data={"_csrf_token": token, "name": "Ånge kommun", "kind": "kommun"}
    )
    response = await client.post(f"{PLAN}/organisationer/ange/ta-bort", data={"_csrf_token": token})
    assert response.status_code == 303
    assert not await Organisation.exists().where(Organisation.code == "ange")


async def test_a_channel_in_use_is_not_deleted_and_the_page_says_where(client):
    token = await signed_in(client)
    await client.post(
        f"{PLAN}/aktiviteter",
        data={"_csrf_token": token, "title": "Nyhet", "starts_on": "2026-03-31", "channel": "intranat",
              "step": "L1", "status": "planerad"},
    )  # fmt: skip
    before = await snapshot()
    response = await client.post(f"{PLAN}/kanaler/intranat/ta-bort", data={"_csrf_token": token})
    assert response.status_code == 409
    assert "används av aktiviteterna ”Nyhet”" in response.text
    assert await snapshot() == before


async def test_channels_are_created_renamed_and_deleted(client):
    token = await signed_in(client)
    await client.post(
        f"{PLAN}/kanaler", data={"_csrf_token": token, "name": "LinkedIn", "kind": "socialt medium"}
    )
    await client.post(
        f"{PLAN}/kanaler/linkedin", data={"_csrf_token": token, "name": "Linkedin-sidan", "kind": ""}
    )
    assert "Linkedin-sidan" in (await client.get(f"{PLAN}/kanaler")).text
    response = await client.post(f"{PLAN}/kanaler/linkedin/ta-bort", data={"_csrf_token": token})
    assert response.status_code == 303
    assert not await Channel.exists().where(Channel.code == "linkedin")


async def test_an_activity_is_created_shown_on_the_plan_and_edited(client):
    token = await signed_in(client)
    response = await post(
        client,
        f"{PLAN}/aktiviteter",
        [("_csrf_token", token), ("title", "Chefsbrev om planen"), ("starts_on", "2026-04-01"),
              ("ends_on", "2026-04-30"), ("timing", ""), ("channel", "intranat"), ("target_group", "chefer"),
              ("target_group", "medarbetare"), ("step", "L2"), ("responsible", "Kim"), ("status", "planerad")],
    )  # fmt: skip
    assert response.status_code == 303
    plan = await client.get(PLAN)
    assert "Chefsbrev om planen" in plan.text and "2026-04-01 – 2026-04-30" in plan.text
    edit = await client.get(f"{PLAN}/aktiviteter/chefsbrev-om-planen")
    assert 'value="2026-04-30"' in edit.text and 'value="chefer" checked' in edit.text
    await client.post(
        f"{PLAN}/aktiviteter/chefsbrev-om-planen",
        data={
            "_csrf_token": token,
            "title": "Chefsbrev",
            "timing": "Löpande",
            "step": "L2",
            "status": "genomförd",
        },
    )
    plan = await client.get(PLAN)
    assert "Chefsbrev</a>" in plan.text and "Genomförd" in plan.text
    response = await client.post(
        f"{PLAN}/aktiviteter/chefsbrev-om-planen/ta-bort", data={"_csrf_token": token}
    )
    assert response.status_code == 303
    assert "Chefsbrev</a>" not in (await client.get(PLAN)).text


async def test_target_groups_are_added_and_renamed(client):
    token = await signed_in(client)
    await client.post(
        f"{PLAN}/malgrupper", data={"_csrf_token": token, "name": "Invånare", "description": ""}
    )
    await client.post(f"{PLAN}/malgrupper/chefer", data={"_csrf_token": token, "name": "Alla chefer"})
    plan = await client.get(PLAN)
    assert "Invånare" in plan.text and "Alla chefer" in plan.text


async def test_bad_input_in_every_form_gives_a_swedish_message_linked_to_the_field_and_saves_nothing(client):
    token = await signed_in(client)
    await save_activity((await plan_overview("testplan")).id, ActivityInput(title="Film", timing="Maj"))
    cases = [
        (f"{PLAN}/organisationer", {"name": "", "kind": "by"}, ["new-name", "new-kind"], "Skriv organisationens namn."),
        (f"{PLAN}/organisationer", {"name": "Regionen", "code": "region", "kind": "region"}, ["new-name"],
         "Regionen finns redan i planen."),
        (f"{PLAN}/organisationer", {"name": "Borås", "code": "Borås!", "kind": "kommun"}, ["new-code"],
         "Koden får bara innehålla"),
        (f"{PLAN}/organisationer/alby", {"name": " ", "kind": "kommun"}, ["org-alby-name"],
         "Skriv organisationens namn."),
        (f"{PLAN}/kanaler", {"name": "", "kind": "x" * 31}, ["new-name", "new-kind"], "Skriv kanalens namn"),
        (f"{PLAN}/kanaler", {"name": "Intranät"}, ["new-code"], "Planen har redan en kanal med koden intranat."),
        (f"{PLAN}/kanaler/intranat", {"name": ""}, ["ch-intranat-name"], "Skriv kanalens namn"),
        (f"{PLAN}/aktiviteter",
         {"title": "", "starts_on": "31 mars", "ends_on": "2026-02-30", "step": "L9", "status": "klar",
          "channel": "tv"},
         ["title", "starts_on", "ends_on", "channels", "step", "status"], "Skriv vad aktiviteten är."),
        (f"{PLAN}/aktiviteter", {"title": "Nyhet", "starts_on": "2026-05-01", "ends_on": "2026-04-01",
                                  "step": "L1", "status": "planerad"}, ["ends_on"],
         "Slutdatumet kan inte vara före startdatumet."),
        (f"{PLAN}/aktiviteter", {"title": "Nyhet", "step": "L1", "status": "planerad"}, ["starts_on"],
         "Ange ett datum, en period"),
        (f"{PLAN}/aktiviteter/film", {"title": "Film", "timing": "Maj", "step": "L1", "status": "avbruten"},
         ["status"], "Välj planerad, pågår, genomförd eller inställd."),
        (f"{PLAN}/malgrupper", {"name": ""}, ["new-name"], "Skriv målgruppens namn."),
        (f"{PLAN}/malgrupper", {"name": "Chefer", "code": "chefer"}, ["new-code"],
         "Planen har redan en målgrupp med koden chefer."),
        (f"{PLAN}/malgrupper/chefer", {"name": ""}, ["tg-chefer-name"], "Skriv målgruppens namn."),
        (f"{PLAN}/rackvidd/poster", {"period_start": "igår", "views": "12,5", "channel": "tv"},
         ["period_start", "channel", "views"], "Ange antalet som ett heltal utan decimaler"),
        (f"{PLAN}/rackvidd/poster", {"period_start": "2026-03", "channel": "intranat"}, ["views"],
         "Skriv minst en siffra"),
    ]  # fmt: skip
    before = await snapshot()
    for url, fields, linked, message in cases:
        response = await client.post(url, data={"_csrf_token": token, **fields})
        assert response.status_code == 422, (url, fields, response.status_code)
        assert message in response.text, (url, fields)
        assert summary_links(response.text) == linked, (url, fields)
        for name in ("name", "code", "title", "starts_on", "ends_on", "period_start", "views"):
            if fields.get(name, "").strip():
                assert f'value="{fields[name]}"' in response.text, (url, name)  # what was typed is kept
    assert await snapshot() == before


async def test_an_activity_form_with_errors_keeps_what_was_ticked(client):
    token = await signed_in(client)
    response = await post(
        client,
        f"{PLAN}/aktiviteter",
        [("_csrf_token", token), ("title", ""), ("starts_on", "2026-04-01"), ("channel", "intranat"),
              ("target_group", "medarbetare"), ("step", "L3"), ("status", "pågår"), ("responsible", "Kim")],
    )  # fmt: skip
    assert response.status_code == 422
    assert 'value="intranat" checked' in response.text and 'value="medarbetare" checked' in response.text
    assert 'value="L3" selected' in response.text and 'value="Kim"' in response.text


SIZES = "organisation;målgrupp;antal\r\nAlby kommun;Chefer;45\r\nregion;medarbetare;1 250\r\nAlby kommun;Medarbetare;\r\n"


async def test_sizes_from_an_hr_file_are_previewed_then_saved(client):
    token = await signed_in(client)
    preview = await client.post(
        f"{PLAN}/storlekar",
        data={"_csrf_token": token},
        files={"file": ("hr.csv", ("\ufeff" + SIZES).encode("utf-8"), "text/csv")},
    )
    assert preview.status_code == 200
    assert "1 rad utan antal hoppas över." in preview.text and "Spara 2 storlekar" in preview.text
    assert await TargetGroupSize.count() == 4  # nothing saved by the preview
    rows = re.findall(r'name="row" value="([^"]+)"', preview.text)
    response = await client.post(f"{PLAN}/storlekar/spara", data={"_csrf_token": token, "row": rows})
    assert response.status_code == 303
    plan = await client.get(PLAN)
    assert 'value="45"' in plan.text and 'value="1250"' in plan.text
    assert 'value="400"' in plan.text  # the row without a number left Alby's size as it was


async def test_a_windows_1252_file_with_commas_is_read(client):
    token = await signed_in(client)
    data = "Organisation,Målgrupp,Antal\nAlby kommun,Chefer,41\n".encode("cp1252")
    preview = await client.post(
        f"{PLAN}/storlekar", data={"_csrf_token": token}, files={"file": ("hr.csv", data, "text/csv")}
    )
    assert preview.status_code == 200 and "Spara 1 storlek" in preview.text


async def test_a_sizes_file_with_errors_names_the_rows_and_cannot_be_saved(client):
    token = await signed_in(client)
    bad = "organisation;målgrupp;antal\nAlby kommun;Chefer;45\nSolna;Chefer;3\nAlby kommun;Chefer;4,5\n"
    before = await snapshot()
    preview = await client.post(
        f"{PLAN}/storlekar", data={"_csrf_token": token}, files={"file": ("hr.csv", bad.encode(), "text/csv")}
    )
    assert preview.status_code == 422
    assert "Rad 3: organisationen ”Solna” finns inte i planen." in preview.text
    assert "Rad 4: antalet ”4,5” är inte ett heltal, 0 eller mer." in preview.text
    assert 'name="row"' not in preview.text
    forged = await client.post(
        f"{PLAN}/storlekar/spara", data={"_csrf_token": token, "row": ["alby;chefer;45", "solna;chefer;3"]}
    )
    assert forged.status_code == 422
    assert await snapshot() == before


async def test_a_file_without_the_right_columns_is_explained(client):
    token = await signed_in(client)
    preview = await client.post(
        f"{PLAN}/storlekar",
        data={"_csrf_token": token},
        files={"file": ("hr.csv", b"namn;antal\nAlby;3\n", "text/csv")},
    )
    assert preview.status_code == 422 and "kolumnerna organisation, målgrupp och antal" in preview.text


async def test_the_sizes_template_lists_every_organisation_and_group(client):
    await signed_in(client)
    response = await client.get(f"{PLAN}/storlekar/mall.csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "organisation;målgrupp;antal"
    assert "Alby kommun;Chefer;40" in text and "Regionen;Medarbetare;900" in text


async def test_reach_is_typed_in_listed_and_deleted(client):
    token = await signed_in(client)
    response = await client.post(
        f"{PLAN}/rackvidd/poster",
        data={"_csrf_token": token, "period_start": "2026-03", "channel": "intranat", "views": "1 234",
              "unique_visitors": "800", "impressions": "", "clicks": ""},
    )  # fmt: skip
    assert response.status_code == 303
    page = await client.get(f"{PLAN}/rackvidd/poster")
    assert "1\u00a0234" in page.text and "800" in page.text
    rows = await ReachFigure.select().order_by(ReachFigure.metric)
    assert [(r["metric"], r["value"], str(r["period_end"])) for r in rows] == [
        ("unique_visitors", 800, "2026-03-31"),
        ("views", 1234, "2026-03-31"),
    ]
    await client.post(f"{PLAN}/rackvidd/poster/{rows[0]['id']}/ta-bort", data={"_csrf_token": token})
    assert await ReachFigure.count() == 1


async def test_the_api_edits_the_plan_with_a_communicators_token(client):
    await make_wave()
    account = await sign_in(client, Role.COMMUNICATOR)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'plan')}"}
    api = "/api/v1/plans/testplan"
    created = await client.post(
        f"{api}/activities", json={"title": "Webbinarium", "timing": "Hösten"}, headers=headers
    )
    assert created.status_code == 201 and created.json()["code"] == "webbinarium"
    bad = await client.post(f"{api}/activities", json={"title": "", "timing": ""}, headers=headers)
    assert bad.status_code == 422 and "Skriv vad aktiviteten är." in bad.json()["errors"]["title"]
    changed = await client.put(
        f"{api}/activities/webbinarium",
        json={
            "title": "Webbinarium",
            "starts_on": "2026-10-01",
            "channels": ["intranat"],
            "status": "genomförd",
        },
        headers=headers,
    )
    assert changed.status_code == 200
    assert (await client.post(f"{api}/channels", json={"name": "Poddar"}, headers=headers)).status_code == 201
    refused = await client.delete(f"{api}/channels/intranat", headers=headers)
    assert refused.status_code == 409 and "Webbinarium" in refused.json()["detail"]
    assert (await client.delete(f"{api}/activities/webbinarium", headers=headers)).status_code == 204
    org = await client.post(f"{api}/organisations", json={"name": "Sollefteå kommun"}, headers=headers)
    assert org.status_code == 201 and org.json()["code"] == "solleftea"  # the municipality 2283, by its name
    sizes = await client.post(
        f"{api}/sizes?dry_run=true", content=SIZES.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert sizes.status_code == 200 and len(sizes.json()["rows"]) == 2 and sizes.json()["saved"] == 0
    saved = await client.post(
        f"{api}/sizes", content=SIZES.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert saved.json()["saved"] == 2
    reach = await client.post(
        f"{api}/reach",
        json={"period_start": "2026-03-31", "channel": "intranat", "clicks": "12"},
        headers=headers,
    )
    assert reach.status_code == 201
    listed = (await client.get(f"{api}/reach", headers=headers)).json()["figures"]
    assert [(f["metric"], f["value"]) for f in listed] == [("clicks", 12)]
    assert (await client.delete(f"{api}/reach/{listed[0]['id']}", headers=headers)).status_code == 204
    plan = (await client.get(api, headers=headers)).json()
    assert [(o["code"], o["active"], o["official_code"]) for o in plan["organisations"]][-1] == (
        "solleftea",
        True,
        "2283",
    )
    assert plan["target_groups"][0]["sizes"] == {"alby": 45, "region": 60}
    assert [c["code"] for c in plan["channels"]] == ["intranat", "poddar"]


async def test_the_api_refuses_readers(client):
    await make_wave()
    account = await sign_in(client, Role.READER)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'plan')}"}
    response = await client.post("/api/v1/plans/testplan/channels", json={"name": "Poddar"}, headers=headers)
    assert response.status_code == 403
    assert not await Channel.exists().where(Channel.name == "Poddar")
