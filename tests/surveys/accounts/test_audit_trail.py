"""The audit log of the domain: every change to plans, goals, questionnaires, waves, codes, meetings and
decisions, and every purge, is one line naming who acted (the acting account, or the command line) and what
in words; a refused change leaves no line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from surveys.accounts import audit
from surveys.accounts.users import Role, create_user
from surveys.db import engine as db
from surveys.db.tables import AuditEvent, Plan, Wave
from surveys.errors import DomainError
from surveys.meetings.records import create_meeting, record_decision
from surveys.operations import retention
from surveys.plans import creation, editing
from surveys.plans.plan_export import plan_definition
from surveys.plans.plan_file import load_plan, parse_plan
from surveys.plans.plan_update import apply_plan_file
from surveys.plans.rules import ActivityInput
from surveys.questionnaires import designer
from surveys.questionnaires.file_import import import_questionnaire
from surveys.results.releases import release_open_wave
from surveys.waves import codes, setup
from tests.support import PLAN, make_wave

WAVE = "Mätomgång testomgang (Omgång testomgang)"
PLAN_NAME = "Plan testplan (Testplanen)"


async def _last_id() -> int:
    row = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
    return row["id"] if row else 0


async def _since(mark: int) -> list[tuple[str, str, str, str]]:
    rows = (
        await AuditEvent.select(AuditEvent.actor, AuditEvent.action, AuditEvent.object, AuditEvent.detail)
        .where(AuditEvent.id > mark)
        .order_by(AuditEvent.id)
    )
    return [(r["actor"], r["action"], r["object"], r["detail"]) for r in rows]


class Recorder:
    """Runs one change as `account` and returns the lines it left in the log."""

    def __init__(self, account) -> None:
        self.account = account

    async def __call__(self, change) -> list[tuple[str, str, str, str]]:
        mark = await _last_id()
        with audit.acting(self.account):
            await change
        return await _since(mark)

    async def refused(self, change) -> None:
        mark = await _last_id()
        with audit.acting(self.account), pytest.raises(DomainError):
            await change
        assert await _since(mark) == [], "a refused change left a line in the audit log"


@pytest.fixture
async def lena(database):
    return await create_user("lena@example.se", "ett-langt-losenord", Role.COMMUNICATOR)


@pytest.fixture
def as_lena(lena) -> Recorder:
    return Recorder(lena)


async def _plan_id() -> int:
    return (await Plan.select(Plan.id).where(Plan.code == "testplan").first())["id"]


async def test_what_nobody_set_is_done_by_the_command_line_and_acting_comes_back_after_the_block(lena):
    assert audit.current_actor() == audit.COMMAND_LINE
    with audit.acting(lena):
        assert audit.current_actor() == lena
        with audit.acting(audit.AUTOMATIC):
            assert audit.current_actor() == audit.AUTOMATIC
        assert audit.current_actor() == lena
    assert audit.current_actor() == audit.COMMAND_LINE
    with pytest.raises(ValueError):
        audit.set_actor("lena@example.se")  # a name is not an account


async def test_creating_closing_reopening_releasing_archiving_and_deleting_a_wave_are_recorded(as_lena):
    await make_wave()
    now = datetime.now(UTC)
    async with db.write_transaction():
        created = await as_lena(
            setup.create_wave(
                plan_code="testplan",
                questionnaire_code="testenkat",
                slug="ny-omgang",
                title="Ny omgång",
                opens_at=now,
                closes_at=now + timedelta(days=7),
            )
        )
    assert [row[:3] for row in created] == [
        ("lena@example.se", "wave.created", "Mätomgång ny-omgang (Ny omgång)")
    ]
    assert created[0][3].startswith("plan testplan, öppen ")
    assert await as_lena(setup.close_early("testomgang")) == [("lena@example.se", "wave.closed", WAVE, "")]
    assert await as_lena(setup.reopen("testomgang", now)) == [("lena@example.se", "wave.reopened", WAVE, "")]
    assert await as_lena(release_open_wave("testomgang", now)) == [
        ("lena@example.se", "wave.released", WAVE, "delredovisning nr 1")
    ]
    assert await as_lena(setup.archive_wave("testomgang")) == [
        ("lena@example.se", "wave.archived", WAVE, "arkiverad och stängd")
    ]
    assert await as_lena(setup.delete_wave("ny-omgang")) == [
        ("lena@example.se", "wave.deleted", "Mätomgång ny-omgang (Ny omgång)", "")
    ]


async def test_refused_wave_changes_leave_no_line(as_lena):
    await make_wave()
    now = datetime.now(UTC)
    async with db.write_transaction():
        await as_lena.refused(
            setup.create_wave(
                plan_code="testplan",
                questionnaire_code="testenkat",
                slug="X",
                title="",
                opens_at=now,
                closes_at=now + timedelta(days=1),
            )
        )
    await as_lena.refused(setup.close_early("finns-inte"))
    await as_lena.refused(setup.reopen("testomgang", now + timedelta(days=3)))  # past its closing
    await as_lena.refused(codes.issue_codes("testomgang", 0))
    await as_lena(release_open_wave("testomgang", now))
    await as_lena.refused(release_open_wave("testomgang", now))  # a second release the same day


async def test_issued_codes_are_recorded_by_their_number_never_by_the_codes(as_lena):
    await make_wave()
    mark = await _last_id()
    with audit.acting(as_lena.account):
        issued = await codes.issue_codes("testomgang", 3)
    lines = await _since(mark)
    assert lines == [("lena@example.se", "codes.issued", WAVE, "3 koder")]
    for code in issued.codes:
        assert code not in str(lines) and code.replace("-", "") not in str(lines)


async def test_a_meeting_and_its_decision_are_recorded_and_bad_input_records_nothing(as_lena):
    await make_wave()
    plan_id = await _plan_id()
    await as_lena(
        editing.save_activity(plan_id, ActivityInput(title="Chefsbrev", code="chefsbrev", timing="Löpande"))
    )
    await as_lena.refused(create_meeting("testplan", "  ", "2026-12-10", k=5))
    made = await as_lena(create_meeting("testplan", "Länsledningen i december", "2026-12-10", k=5))
    assert len(made) == 1
    actor, action, object, detail = made[0]
    assert (actor, action, detail) == ("lena@example.se", "meeting.created", "plan testplan, 2026-12-10")
    assert object.startswith("Möte ") and object.endswith(" (Länsledningen i december)")
    meeting_id = int(object.split()[1])
    await as_lena.refused(record_decision("testplan", meeting_id, "chefsbrev", "kanske", ""))
    decided = await as_lena(
        record_decision("testplan", meeting_id, "chefsbrev", "justera", "Kortare text, tidigare utskick.")
    )
    assert decided == [
        ("lena@example.se", "decision.recorded", object, "plan testplan, aktivitet chefsbrev: justera")
    ]
    assert "Kortare text" not in str(decided)


async def test_plans_are_recorded_when_created_changed_archived_and_deleted(as_lena):
    await as_lena.refused(creation.create_plan(creation.NewPlan(title="Ny plan", county="Atlantis")))
    created = await as_lena(
        creation.create_plan(creation.NewPlan(title="Ny plan", code="ny-plan", organisations=creation.NONE))
    )
    assert [row[:3] for row in created] == [("lena@example.se", "plan.created", "Plan ny-plan (Ny plan)")]
    assert await as_lena(creation.change_plan("ny-plan", title="Ny plan 2027")) == [
        ("lena@example.se", "plan.changed", "Plan ny-plan (Ny plan 2027)", "namn, län, beskrivning, period")
    ]
    await as_lena.refused(creation.change_plan("ny-plan", title=""))
    assert [row[1:] for row in await as_lena(creation.archive_plan("ny-plan"))] == [
        ("plan.archived", "Plan ny-plan (Ny plan 2027)", "arkiverad")
    ]
    assert [row[1:3] for row in await as_lena(creation.delete_plan("ny-plan"))] == [
        ("plan.deleted", "Plan ny-plan (Ny plan 2027)")
    ]
    await make_wave()
    await as_lena.refused(creation.delete_plan("testplan"))  # it has a wave: archived instead


async def test_goals_and_the_parts_of_a_plan_are_recorded_as_changes_of_the_plan(as_lena):
    await make_wave()
    plan_id = await _plan_id()
    await as_lena.refused(editing.add_goal(plan_id, target_group="ingen", step="L1", target="70"))
    added = await as_lena(
        editing.add_goal(
            plan_id, target_group="medarbetare", step="L2", target="60", wording="Förstå planen."
        )
    )
    assert [row[:3] for row in added] == [("lena@example.se", "goal.changed", PLAN_NAME)]
    goal_id = int(added[0][3].split()[2].rstrip(":"))
    await as_lena.refused(
        editing.change_goal(plan_id, goal_id, target="900", deadline="", wording="Förstå planen.")
    )
    assert [
        row[1:]
        for row in await as_lena(
            editing.change_goal(plan_id, goal_id, target="65", deadline="", wording="Förstå planen.")
        )
    ] == [("goal.changed", PLAN_NAME, f"mål {goal_id} ändrat")]
    assert [row[1:] for row in await as_lena(editing.delete_goal(plan_id, goal_id))] == [
        ("goal.changed", PLAN_NAME, f"mål {goal_id} borttaget")
    ]
    changes = [
        editing.add_organisation(plan_id, name="Bergs kommun", code="berg", kind="kommun"),
        editing.rename_organisation(plan_id, "berg", name="Bergs kommun (ny)", kind="kommun"),
        editing.set_organisation_active(plan_id, "berg", False),
        editing.remove_organisation(plan_id, "berg"),
        editing.save_channel(plan_id, name="Affischer", code="affischer"),
        editing.archive_channel(plan_id, "affischer"),
        editing.delete_channel(plan_id, "affischer"),
        editing.save_target_group(plan_id, name="Politiker", code="politiker"),
        editing.change_sizes(plan_id, "politiker", {"alby": "31"}),
        editing.archive_target_group(plan_id, "politiker"),
        editing.delete_target_group(plan_id, "politiker"),
        editing.save_activity(plan_id, ActivityInput(title="Chefsbrev", code="chefsbrev", timing="Löpande")),
        editing.archive_activity(plan_id, "chefsbrev"),
        editing.delete_activity(plan_id, "chefsbrev"),
        editing.add_channels(plan_id, "Nyhetsbrev\nPodd"),
    ]
    for change in changes:
        lines = await as_lena(change)
        assert [row[:3] for row in lines] == [("lena@example.se", "plan.changed", PLAN_NAME)], lines
    await as_lena.refused(editing.save_channel(plan_id, name=""))
    await as_lena.refused(editing.change_sizes(plan_id, "chefer", {"alby": "många"}))
    await as_lena.refused(editing.remove_organisation(plan_id, "alby"))  # in the wave


async def test_loading_a_plan_file_new_or_over_a_plan_is_recorded(as_lena):
    plan = parse_plan({**PLAN, "plan": {"code": "filplan", "title": "Filplanen"}})
    assert await as_lena(load_plan(plan)) == [
        ("lena@example.se", "plan.file", "Plan filplan (Filplanen)", "ny plan")
    ]
    await as_lena.refused(load_plan(plan))  # the code is taken
    stored = await plan_definition("filplan")
    renamed = parse_plan({**PLAN, "plan": {"code": "filplan", "title": "Filplanen 2027"}})
    assert stored.title == "Filplanen"
    lines = await as_lena(apply_plan_file(renamed))
    assert [row[:3] for row in lines] == [("lena@example.se", "plan.file", "Plan filplan (Filplanen 2027)")]
    assert lines[0][3].endswith("ändringar")


async def test_questionnaires_are_recorded_when_created_edited_and_read_from_a_file(as_lena):
    await make_wave()
    created = await as_lena(
        designer.create_questionnaire(
            code="ny-enkat", title="Ny enkät", intro="", bank_codes=(), copy_of="testenkat"
        )
    )
    assert created == [
        ("lena@example.se", "questionnaire.created", "Enkät ny-enkat (Ny enkät)", "kopia av enkät testenkat")
    ]
    await as_lena.refused(
        designer.create_questionnaire(
            code="ny-enkat", title="Igen", intro="", bank_codes=(), copy_of="testenkat"
        )
    )
    edited = await as_lena(designer.edit("ny-enkat", lambda data: {**data, "title": "Ny enkät 2027"}))
    assert edited == [
        ("lena@example.se", "questionnaire.changed", "Enkät ny-enkat (Ny enkät 2027)", "version 1")
    ]
    await as_lena.refused(designer.edit("ny-enkat", lambda data: {**data, "questions": []}))
    text = b'code = "filenkat"\ntitle = "Filenk\xc3\xa4ten"\n[[questions]]\ncode = "q1"\nkind = "yesno"\ntext = "Fungerar det?"\n'
    read = await as_lena(import_questionnaire(text, plan_code="testplan"))
    assert read == [
        ("lena@example.se", "questionnaire.created", "Enkät filenkat (Filenkäten)", "inläst från fil")
    ]


async def test_a_purge_is_recorded_per_wave_without_any_numbers(as_lena):
    await make_wave(status="closed")
    long_ago = datetime.now(UTC) - timedelta(days=400)
    await Wave.update({Wave.closes_at: long_ago, Wave.opens_at: long_ago - timedelta(days=1)}).where(
        Wave.slug == "testomgang"
    )
    lines = await as_lena(retention.purge(date.today(), 90))
    assert lines == [
        (
            "lena@example.se",
            "responses.purged",
            WAVE,
            "svar och engångskoder raderade efter lagringstiden; resultaten finns kvar",
        )
    ]


async def test_users_made_and_changed_by_single_sign_on_name_the_sign_in_service_not_the_command_line(
    database,
):
    from surveys.accounts.federated import Identity, sign_in

    person = Identity("https://idp.example.se", "abc-123", "Anna Ek", "anna.ek@example.se", Role.READER)
    now = datetime.now(UTC)
    mark = await _last_id()
    await sign_in(person, "id-token-1", now)
    await sign_in(
        Identity(person.issuer, person.subject, "Anna Ek", "anna.ek@example.se", Role.COMMUNICATOR),
        "id-token-2",
        now,
    )
    lines = await _since(mark)
    assert [(actor, action) for actor, action, _object, _detail in lines] == [
        ("#sso", "user.created"),
        ("#sso", "user.role"),
    ]
    assert audit.actor_label("#sso") == "organisationens inloggningstjänst"
    assert "id-token" not in str(lines)
