"""The stored shape of effekt's domain (see docs/design.md, "Words").

Answers carry their wave, organisation and target group so that every count the
results need is one GROUP BY over `answer`, done by the database.
"""

import secrets

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

# A response's answers get the ids just above the response's own: a response id leaves this many free.
ANSWER_ROOM = 1024


def random_id() -> int:
    """A new response (or answer) id: random, so that ids and row order say nothing of who answered when.

    A multiple of ANSWER_ROOM from 1024 to 2**63 - 1024, with 53 random bits: two responses get the same id
    (and the second is refused) about once in 10**4 wave sets of a million responses each.
    """
    return (secrets.randbelow(2**53 - 1) + 1) * ANSWER_ROOM


class Plan(Table):
    """A färdplan's communication plan, followed up over a period."""

    id: Serial
    code = Varchar(length=60, unique=True)
    title = Varchar(length=300)
    county = Varchar(length=100, default="")
    description = Text(default="")
    period_start = Date(null=True, default=None)
    period_end = Date(null=True, default=None)
    archived = Boolean(default=False)  # kept with its waves and results, not offered for new work


class Organisation(Table):
    """A municipality, the region or another organisation (huvudman) of one plan.

    Each plan has its own rows (`plan`), so a code or a new name in one plan never reaches another; the
    official code (SCB's kommunkod or länskod, surveys/plans/official.py) says which municipality or
    region it is. The code is unique within its plan.
    """

    id: Serial
    code = Varchar(length=60)
    name = Varchar(length=200)
    kind = Varchar(length=20, default="kommun")  # kommun | region | annan
    plan = ForeignKey(references=Plan, null=True, default=None, on_delete=OnDelete.cascade)
    official_code = Varchar(length=4, default="")


class PlanOrganisation(Table, tablename="plan_organisation"):
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)


class TargetGroup(Table, tablename="target_group"):
    """A målgrupp of one plan."""

    id: Serial
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade)
    code = Varchar(length=60)
    name = Varchar(length=300)
    description = Text(default="")
    position = Integer(default=0)
    archived = Boolean(default=False)  # answered, so kept; not offered for new waves, goals or activities
    # The name in the questionnaires' other languages, for respondents who answer in them: {"en": "Managers"}.
    translations = JSON(null=True, default=None)


class TargetGroupSize(Table, tablename="target_group_size"):
    """Known size of a target group within one organisation (from an HR register)."""

    target_group = ForeignKey(references=TargetGroup, on_delete=OnDelete.cascade)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade)
    size = Integer()
    source = Varchar(length=200, default="")


class EffectGoal(Table, tablename="effect_goal"):
    """Target group × effect step × target share × deadline, in the plan's own words."""

    id: Serial
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade)
    target_group = ForeignKey(references=TargetGroup, on_delete=OnDelete.cascade)
    step = Varchar(length=2)  # L1..L4 (L0 reach is an output, never a goal)
    # Double precision: PostgreSQL's real (float4) would turn 0.9 into 0.8999999761581421.
    target_share = DoublePrecision()
    deadline = Date(null=True, default=None)
    wording = Text(default="")


class Channel(Table):
    id: Serial
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade)
    code = Varchar(length=60)
    name = Varchar(length=200)
    kind = Varchar(length=30, default="")  # intranät, webb, socialt medium, tryck, möte …
    archived = Boolean(default=False)  # used by answers or figures, so kept; not offered anew


class Activity(Table):
    """A kommunikationsaktivitet in the plan's timetable."""

    id: Serial
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade)
    code = Varchar(length=60)
    title = Text()
    timing = Varchar(length=200, default="")  # the plan's words, e.g. "Löpande" or "Q3"
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    step = Varchar(length=2, default="L1")
    responsible = Varchar(length=300, default="")
    status = Varchar(length=20, default="planerad")  # planerad | genomförd | inställd
    position = Integer(default=0)
    archived = Boolean(default=False)  # has decisions or reach, so kept; hidden from the plan's timetable


class ActivityChannel(Table, tablename="activity_channel"):
    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade)
    channel = ForeignKey(references=Channel, on_delete=OnDelete.cascade)


class ActivityTargetGroup(Table, tablename="activity_target_group"):
    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade)
    target_group = ForeignKey(references=TargetGroup, on_delete=OnDelete.cascade)


class ReachFigure(Table, tablename="reach_figure"):
    """Imported reach (räckvidd): an output, shown beside recall but never as an effect."""

    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade)
    activity = ForeignKey(references=Activity, null=True, default=None, on_delete=OnDelete.set_null)
    channel = ForeignKey(references=Channel, null=True, default=None, on_delete=OnDelete.set_null)
    period_start = Date()
    period_end = Date()
    metric = Varchar(length=30)  # views | unique_visitors | impressions | clicks
    value = Integer()
    url = Text(default="")


class BankQuestion(Table, tablename="bank_question"):
    """A question of the shared frågebank: its identity keeps trends comparable."""

    id: Serial
    code = Varchar(length=60, unique=True)
    text = Text()
    kind = Varchar(length=20)
    step = Varchar(length=2, null=True, default=None)


class Questionnaire(Table):
    id: Serial
    code = Varchar(length=60, unique=True)
    title = Varchar(length=300)
    plan = ForeignKey(references=Plan, null=True, default=None, on_delete=OnDelete.set_null)


class QuestionnaireVersion(Table, tablename="questionnaire_version"):
    """One immutable-once-answered version of a questionnaire."""

    id: Serial
    questionnaire = ForeignKey(references=Questionnaire, on_delete=OnDelete.cascade)
    number = Integer()
    title = Varchar(length=300)
    intro = Text(default="")
    frozen = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    # The languages offered besides Swedish, with the title and intro in each: {"en": {"title", "intro"}}.
    translations = JSON(null=True, default=None)


class Question(Table):
    id: Serial
    version = ForeignKey(references=QuestionnaireVersion, on_delete=OnDelete.cascade)
    bank_question = ForeignKey(references=BankQuestion, null=True, default=None, on_delete=OnDelete.set_null)
    position = Integer()
    code = Varchar(length=60)
    kind = Varchar(length=20)  # single | multiple | agree5 | yesno | scale10 | text
    text = Text()
    help = Text(default="")
    required = Boolean(default=True)
    step = Varchar(length=2, null=True, default=None)
    # How "Vet ej" counts for the step: "not_reached" (kännedom) or "excluded" (attitude steps).
    dont_know = Varchar(length=20, default="excluded")
    show_if = JSON(null=True, default=None)  # {"question": code, "any_of": [option codes]}
    max_length = Integer(default=0)
    channel = ForeignKey(references=Channel, null=True, default=None, on_delete=OnDelete.set_null)
    translations = JSON(null=True, default=None)  # {"en": {"text": …, "help": …}}


class Option(Table):
    id: Serial
    question = ForeignKey(references=Question, on_delete=OnDelete.cascade)
    position = Integer()
    code = Varchar(length=60)
    text = Text()
    value = Integer(null=True, default=None)  # numeric value on scales
    reaches_step = Boolean(default=False)
    dont_know = Boolean(default=False)
    channel = ForeignKey(references=Channel, null=True, default=None, on_delete=OnDelete.set_null)
    translations = JSON(null=True, default=None)  # {"en": "Yes"}


class Wave(Table):
    """A mätomgång: one fielding of a questionnaire version."""

    id: Serial
    slug = Varchar(length=80, unique=True)
    title = Varchar(length=300)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.restrict)
    version = ForeignKey(references=QuestionnaireVersion, on_delete=OnDelete.restrict)
    intro = Text(default="")
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    closed_early = Boolean(default=False)
    uses_codes = Boolean(default=False)
    # How many one-time codes were handed out: a used code is deleted, so the table alone cannot tell.
    codes_issued = Integer(default=0)
    # Set when retention (gallring) replaced the wave's responses by their counts.
    purged_on = Date(null=True, default=None)
    archived = Boolean(default=False)  # answered, so kept for the results; closed and out of the lists


class WaveTargetGroup(Table, tablename="wave_target_group"):
    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    target_group = ForeignKey(references=TargetGroup, on_delete=OnDelete.restrict)


class WaveOrganisation(Table, tablename="wave_organisation"):
    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)


class Response(Table):
    """One submitted questionnaire. Anonymous: a date, never a time, IP or user agent.

    The id is random (see random_id), never a counter, so it does not tell in which order people answered.
    """

    id = BigInt(primary_key=True, default=random_id)
    wave = ForeignKey(references=Wave, on_delete=OnDelete.restrict)
    organisation = ForeignKey(references=Organisation, null=True, default=None, on_delete=OnDelete.restrict)
    target_group = ForeignKey(references=TargetGroup, null=True, default=None, on_delete=OnDelete.restrict)
    submitted_on = Date()
    submission_key = Varchar(length=64, unique=True)


class Answer(Table):
    """One chosen option (or one free text) of a response, with its breakdown keys copied in.

    Stored with a submission, its id is the response's plus its place in the response (so a response's
    answers sit together); stored otherwise, it is random (see random_id).
    """

    id = BigInt(primary_key=True, default=random_id)
    response = ForeignKey(references=Response, on_delete=OnDelete.cascade)
    wave = ForeignKey(references=Wave, on_delete=OnDelete.restrict)
    organisation = ForeignKey(references=Organisation, null=True, default=None, on_delete=OnDelete.restrict)
    target_group = ForeignKey(references=TargetGroup, null=True, default=None, on_delete=OnDelete.restrict)
    question = ForeignKey(references=Question, on_delete=OnDelete.restrict)
    option = ForeignKey(references=Option, null=True, default=None, on_delete=OnDelete.restrict)
    text = Text(null=True, default=None)


class AccessCode(Table, tablename="access_code"):
    """An unused one-time code: only its hash. Using it deletes the row, in the transaction that stores
    the response, so nothing of it is left to join or order to that response (see docs/dataskydd.md).
    """

    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    code_hash = Varchar(length=64, unique=True)


class UsedFormToken(Table, tablename="used_form_token"):
    """The hash of a survey form's one-time token once it has been sent, so the same form sent again
    stores nothing. Never stored with the response and deleted after a few days (docs/dataskydd.md,
    "Engångskoder och svarens ordning"); the random id keeps SQLite's rows out of arrival order.
    """

    id = BigInt(primary_key=True, default=random_id)
    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    used_on = Date()


class ResponseTally(Table, tablename="response_tally"):
    """Respondents per breakdown cell of a purged wave: what `Response` counted before retention."""

    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    organisation = ForeignKey(references=Organisation, null=True, default=None, on_delete=OnDelete.restrict)
    target_group = ForeignKey(references=TargetGroup, null=True, default=None, on_delete=OnDelete.restrict)
    respondents = Integer()


class AnswerTally(Table, tablename="answer_tally"):
    """Chosen options per breakdown cell of a purged wave: what `Answer` counted before retention.

    Free text is not kept: it is raw response data, and retention deletes it.
    """

    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    organisation = ForeignKey(references=Organisation, null=True, default=None, on_delete=OnDelete.restrict)
    target_group = ForeignKey(references=TargetGroup, null=True, default=None, on_delete=OnDelete.restrict)
    question = ForeignKey(references=Question, on_delete=OnDelete.restrict)
    option = ForeignKey(references=Option, on_delete=OnDelete.restrict)
    answers = Integer()


TABLES = (
    Plan,  # before Organisation, which belongs to a plan: a copy in this order meets its references
    Organisation,
    PlanOrganisation,
    TargetGroup,
    TargetGroupSize,
    EffectGoal,
    Channel,
    Activity,
    ActivityChannel,
    ActivityTargetGroup,
    ReachFigure,
    BankQuestion,
    Questionnaire,
    QuestionnaireVersion,
    Question,
    Option,
    Wave,
    WaveTargetGroup,
    WaveOrganisation,
    Response,
    Answer,
    AccessCode,
    UsedFormToken,
    ResponseTally,
    AnswerTally,
)


class User(Table, tablename="effekt_user"):
    """A person who signs in: admin, kommunikatör or läsare. Respondents never have accounts."""

    id: Serial
    username = Varchar(length=100, unique=True)
    display_name = Varchar(length=200, default="")
    role = Varchar(length=20)  # admin | kommunikator | lasare
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # Sessions are cookies; one carrying an older epoch is void, so signing out cannot be undone by replay.
    session_epoch = Integer(default=0)


class ApiToken(Table, tablename="api_token"):
    """A token for the JSON API, acting with its user's role. Only a hash is stored."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    revoked = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    # Chosen when the key is made; the key is refused from then on. Keys from before expiry existed got
    # one by their migration (docs/security.md, "Konton och inloggning").
    expires_at = Timestamptz(null=True, default=None)


class LoginFailure(Table, tablename="login_failure"):
    """Recent failed sign-ins of one key (a user name and client, a client, an account, a device), kept
    briefly to slow down guessing; shared by every worker through the database (surveys/accounts/throttle.py).

    The key is an HMAC with the secret key, never the plain value or a bare hash of it.
    """

    key_hash = Varchar(length=64, unique=True)
    failed_at = Timestamptz(default=TimestamptzNow())  # the latest attempt; `effekt purge` clears old ones
    failures = Integer(default=0)
    # Whole seconds since 1970: compared and added to in one UPDATE, the same on both engines.
    last_at = BigInt(default=0)
    next_at = BigInt(default=0)


class Meeting(Table):
    """A leadership meeting (uppföljningsmöte) with the results frozen as they were discussed."""

    id: Serial
    plan = ForeignKey(references=Plan, on_delete=OnDelete.cascade)
    title = Varchar(length=300)
    held_on = Date()
    snapshot = Text()  # the plan's results at the time, as JSON: later answers never change it
    created_at = Timestamptz(default=TimestamptzNow())


class Decision(Table):
    """The leadership's decision on an activity at a meeting: tillräcklig, upprepa or justera."""

    id: Serial
    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.cascade)
    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade)
    verdict = Varchar(length=20)
    motivation = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class MeetingComment(Table, tablename="meeting_comment"):
    """The communicator's comment on a goal or an activity, written for one meeting and printed in its pack."""

    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.cascade)
    subject = Varchar(length=120)  # "goal:<id>" or "activity:<code>": kept even if the goal is removed later
    text = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class MeetingChart(Table, tablename="meeting_chart"):
    """A chart of a meeting's frozen results, drawn once (SVG) and reused by every process that makes its pack."""

    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.cascade)
    chart_key = Varchar(length=300)  # what the chart shows, its stamp and language
    title = Text(default="")
    description = Text(default="")
    data = Text(default="[]")  # the chart's data table as JSON, header row first
    svg = Text(default="")


TABLES = (*TABLES, User, ApiToken, LoginFailure, Meeting, Decision, MeetingComment, MeetingChart)


class AuditEvent(Table, tablename="audit_event"):
    """Who did what among the staff (surveys/accounts/audit.py); never anything a respondent gave."""

    id: Serial
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.set_null)
    actor = Varchar(length=100, default="", index=True)  # the user name then, or "#cli" / "#unknown"
    action = Varchar(length=40, index=True)
    object = Varchar(length=200, default="")
    detail = Varchar(length=300, default="")


TABLES = (*TABLES, AuditEvent)


class WaveRelease(Table, tablename="wave_release"):
    """A wave's counts as published at one release point: results show these, never the live counts.

    An open wave is published only when a communicator makes an interim release (at most one a day); a
    closed one when it closed. Keeping the counts of every release lets each new release be checked against
    what a reader could subtract from it (analysis/stats/linked_tables.py). Only the day is kept.
    """

    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    number = Integer()
    released_on = Date()
    interim = Boolean(default=False)
    # When the wave closed as it stood at this release ("<closes_at>|<closed_early>"): a closed wave whose
    # closing differs was opened again since, and gets a new release when it closes anew.
    closing = Varchar(length=60, default="")
    # {"respondents": [[organisation, target group, n], …], "answers": [[question, option, organisation,
    # target group, n], …]}: the same cells as surveys/db/tallies.py, frozen.
    counts = JSON()


TABLES = (*TABLES, WaveRelease)


class ReleasedText(Table, tablename="released_text"):
    """A free-text answer as published: the release of its wave from which communicators may read it.

    Written once per answer, the first time the texts of a closed wave's final release are read
    (surveys/results/releases.py): the texts a release published stay exactly those, whatever comes in
    after the wave is opened again. Deleted with the answer when retention deletes the free text.
    """

    answer = ForeignKey(references=Answer, unique=True, on_delete=OnDelete.cascade)
    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    number = Integer()  # the wave release (WaveRelease.number) the text was first published from


class ReleaseCrosstab(Table, tablename="release_crosstab"):
    """Two questions' answers counted together per target group, frozen for one release of a wave.

    Made the first time the cross-tabulation is read, and only from a closed wave's final release while
    the wave's stored answers are exactly the released ones; kept after retention deletes the answers.
    """

    wave = ForeignKey(references=Wave, on_delete=OnDelete.cascade)
    number = Integer()
    first = ForeignKey(references=Question, on_delete=OnDelete.cascade)
    second = ForeignKey(references=Question, on_delete=OnDelete.cascade)
    # [[target group, first option, second option, respondents], …]: respondents who answered both.
    counts = JSON()


TABLES = (*TABLES, ReleasedText, ReleaseCrosstab)


class FederatedIdentity(Table, tablename="federated_identity"):
    """A person's account at their organisation's identity provider (OpenID Connect), linked to an effekt user.

    The link is the provider (issuer) and its stable id for the person (subject), unique together, never an
    e-mail address or a name, which can change hands. An effekt user has at most one.
    """

    id: Serial
    issuer = Varchar(length=500)
    subject = Varchar(length=255)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True, null=False)
    # The user's session epoch when the provider's claims stopped giving a role and effekt switched the user
    # off; None otherwise. A sign-in with a role switches the user back on only while the epoch is still
    # this one: an administrator switching the user on and off again since has moved it.
    suspended_epoch = Integer(null=True, default=None)
    # The newest ID token, handed back to the provider as a hint when the person signs out of effekt.
    id_token = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    signed_in_at = Timestamptz(default=TimestamptzNow())


class OidcSignIn(Table, tablename="oidc_sign_in"):
    """A sign-in sent to the identity provider and not yet back: what its answer must match. Used once.

    Only a hash of the state is kept; the browser that began the sign-in holds the state in a cookie.
    """

    state_hash = Varchar(length=64, unique=True)
    nonce = Varchar(length=100)
    code_verifier = Varchar(length=128)
    next_path = Varchar(length=500)
    started_at = Timestamptz(default=TimestamptzNow())


TABLES = (*TABLES, FederatedIdentity, OidcSignIn)


class UserScope(Table, tablename="user_scope"):
    """A grant: the user's role covers this plan, or only these organisations of it
    (surveys/accounts/scopes.py). A user without grants covers every plan; administrators always do.

    A deleted plan or organisation leaves its grant behind, covering nothing, so the person never falls
    back to covering every plan. `whole_plan` says which kind of grant it was when both are gone.
    """

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    plan = ForeignKey(references=Plan, null=True, default=None, on_delete=OnDelete.set_null)
    organisation = ForeignKey(references=Organisation, null=True, default=None, on_delete=OnDelete.set_null)
    whole_plan = Boolean(default=True)


TABLES = (*TABLES, UserScope)
