"""The `effekt` command: serve, migrate, demo, and loading plans, questionnaires and waves from files."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import locales
from locales import gettext as _
from server.settings import Settings, SettingsError
from surveys.accounts.users import Role
from surveys.db import engine as db
from surveys.errors import DomainError

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class CommandError(Exception):
    """A failure to report as one plain line."""


def cli_locale(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ if env is None else env)
    for name in ("EFFEKT_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "sv"
    return "sv"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = _("argument")
        self._optionals.title = _("val")
        self.add_argument("-h", "--help", action="help", help=_("visa den här hjälpen och avsluta"))

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", _("användning:"), 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", _("användning:"), 1)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, _("%(prog)s: fel: %(message)s\n") % {"prog": self.prog, "message": message})


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="effekt",
        description=_("effekt mäter om kommunikation om en förändring når fram och gör skillnad."),
    )
    commands = parser.add_subparsers(dest="command", metavar=_("kommando"), parser_class=_Parser)
    commands.required = True

    serve = commands.add_parser("serve", help=_("uppdatera databasen och starta webbservern"))
    serve.add_argument("--host", help=_("adress att lyssna på (standard: EFFEKT_HOST eller 127.0.0.1)"))
    serve.add_argument("--port", type=int, help=_("port att lyssna på (standard: EFFEKT_PORT eller 8000)"))
    serve.add_argument(
        "--workers", type=int, help=_("antal arbetsprocesser (standard: EFFEKT_WORKERS eller 1)")
    )
    serve.add_argument("--demo", action="store_true", help=_("läs in demoplanen först om den saknas"))

    commands.add_parser("migrate", help=_("uppdatera databasens tabeller till den här versionen"))

    demo = commands.add_parser("demo", help=_("läs in demoplanen för Västernorrland med påhittade svar"))
    demo.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)

    plan = commands.add_parser(
        "load-plan", help=_("läs in en kommunikationsplan från en TOML- eller Excel-fil (.xlsx)")
    )
    plan.add_argument("file", type=Path, help=_("planfilen"))
    plan.add_argument(
        "--apply",
        action="store_true",
        help=_("finns planen redan: genomför ändringarna (utan --apply visas bara vad som skulle ändras)"),
    )

    export = commands.add_parser("export-plan", help=_("skriv ut en plan som TOML- eller Excel-fil"))
    export.add_argument("code", help=_("planens kod"))
    export.add_argument(
        "--output", type=Path, help=_("filen att skriva till; .xlsx ger Excel (standard: TOML till skärmen)")
    )

    questionnaire = commands.add_parser("load-questionnaire", help=_("läs in en enkät från en TOML-fil"))
    questionnaire.add_argument("file", type=Path, help=_("enkätfilen"))
    questionnaire.add_argument("--plan", help=_("planens kod, om enkätens kanaler hör till en plan"))
    questionnaire.add_argument(
        "--confirm-trend-break",
        action="store_true",
        help=_("läs in även om ändrade frågor bryter trenden mot tidigare mätomgångar"),
    )

    wave = commands.add_parser("create-wave", help=_("skapa en mätomgång"))
    wave.add_argument("--plan", required=True, help=_("planens kod"))
    wave.add_argument("--questionnaire", required=True, help=_("enkätens kod"))
    wave.add_argument("--slug", required=True, help=_("adressnamn, till exempel omgang-1-2027"))
    wave.add_argument("--title", required=True, help=_("titel som de svarande ser"))
    wave.add_argument(
        "--opens", required=True, type=_when, help=_("öppnar, t.ex. 2027-03-01T08:00 (svensk tid)")
    )
    wave.add_argument(
        "--closes", required=True, type=_when, help=_("stänger, t.ex. 2027-03-19T17:00 (svensk tid)")
    )
    wave.add_argument(
        "--target-group", action="append", help=_("målgruppens kod (flera går bra; standard: alla)")
    )
    wave.add_argument(
        "--confirm-past",
        action="store_true",
        help=_("skapa mätomgången fast den redan har stängt (till exempel för svar på papper)"),
    )
    wave.add_argument(
        "--organisation", action="append", help=_("organisationens kod (flera går bra; standard: alla)")
    )

    user = commands.add_parser("create-user", help=_("skapa en användare (första administratören skapas så)"))
    user.add_argument("username", help=_("användarnamn, t.ex. e-postadress"))
    user.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help=_("roll: admin, kommunikator eller lasare"),
    )
    user.add_argument("--name", default="", help=_("namn som visas"))
    user.add_argument(
        "--plan",
        action="append",
        default=[],
        help=_("planens kod: rollen gäller bara den planen (flera går bra; utan: alla planer)"),
    )
    user.add_argument(
        "--organisation",
        action="append",
        default=[],
        help=_("organisationens kod i planen: rollen gäller bara de organisationerna (kräver en --plan)"),
    )
    user.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("läs lösenordet från standard in i stället för att fråga"),
    )

    grant = commands.add_parser(
        "grant", help=_("bestäm vilka planer (eller organisationer i en plan) en användares roll gäller")
    )
    grant.add_argument("username", help=_("användarnamn"))
    grant.add_argument(
        "--plan", action="append", default=[], help=_("planens kod (flera går bra; utan: alla planer)")
    )
    grant.add_argument(
        "--organisation",
        action="append",
        default=[],
        help=_("organisationens kod i planen (kräver precis en --plan)"),
    )

    report = commands.add_parser(
        "report", help=_("skapa mötespaketet för ett möte som PDF, PowerPoint eller webbsida")
    )
    report.add_argument("--plan", required=True, help=_("planens kod"))
    report.add_argument(
        "--meeting", required=True, type=int, help=_("mötets nummer (det står i mötets adress)")
    )
    report.add_argument(
        "--out", required=True, type=Path, help=_("filen att skriva: .pdf, .pptx eller .html (webbsida)")
    )

    backup = commands.add_parser("backup", help=_("gör en säkerhetskopia av databasen till en fil"))
    backup.add_argument(
        "--out", type=Path, help=_("filen att skriva (standard: effekt-ÅÅÅÅMMDD-TTMM.sqlite eller .dump)")
    )

    restore = commands.add_parser("restore", help=_("återställ databasen från en säkerhetskopia"))
    restore.add_argument("file", type=Path, help=_("säkerhetskopian"))
    restore.add_argument(
        "--replace",
        action="store_true",
        help=_("ersätt en databas som redan innehåller data (allt som inte finns i kopian försvinner)"),
    )

    release = commands.add_parser(
        "release",
        help=_("delredovisa en öppen mätomgång (högst en gång om dagen); en stängd redovisas av sig själv"),
    )
    release.add_argument("slug", help=_("mätomgångens adress, t.ex. omgang-1-2027"))

    purge = commands.add_parser(
        "purge", help=_("gallra: radera svar från mätomgångar som stängde före gallringsfristen")
    )
    purge.add_argument("--dry-run", action="store_true", help=_("visa bara vad som skulle raderas"))
    purge.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)

    move = commands.add_parser("migrate-data", help=_("kopiera all data till en tom PostgreSQL-databas"))
    move.add_argument(
        "--to", required=True, help=_("måldatabasen, till exempel postgresql://effekt@server/effekt")
    )

    token = commands.add_parser("create-token", help=_("skapa en API-nyckel för en användare"))
    token.add_argument("username", help=_("användarnamn"))
    token.add_argument("--name", required=True, help=_("vad nyckeln ska användas till"))
    token.add_argument(
        "--days", type=int, default=90, help=_("hur många dagar nyckeln gäller, 1–365 (standard: 90)")
    )

    password = commands.add_parser(
        "set-password",
        help=_("ge en användare ett nytt lösenord (personen loggas ut överallt)"),
    )
    password.add_argument("username", help=_("användarnamn"))
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("läs lösenordet från standard in i stället för att fråga"),
    )
    return parser


def _when(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s är inte en tid som 2027-03-01T08:00") % {"value": value}
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=STOCKHOLM)


def main(argv: list[str] | None = None) -> int:
    locales.set_locale(cli_locale())
    logging.getLogger("piccolo").setLevel(logging.WARNING)  # its INFO lines are noise for an IT contact
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return COMMANDS[args.command](settings, args)
    except SettingsError as exc:
        return _fail(_(exc.message) % exc.fields)
    except CommandError as exc:
        return _fail(str(exc))
    except DomainError as exc:
        return _fail(exc.message, exc.errors)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if db.is_database_unavailable(exc):
            return _fail(
                _("Databasen går inte att nå. Kontrollera EFFEKT_DATABASE_URL och att databasen är igång.")
            )
        return _fail(_("Oväntat fel (%(kind)s): %(error)s") % {"kind": type(exc).__name__, "error": exc})


def _fail(message: str, errors: dict[str, str] | None = None) -> int:
    """The message, then each field's, line's or entry's own message that it does not already say."""
    print(_("effekt: %(message)s") % {"message": message}, file=sys.stderr)
    for where, problem in (errors or {}).items():
        if problem not in message:
            print(f"  {where}: {problem}", file=sys.stderr)
    return 1


def _run(settings: Settings, work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    async def wrapped() -> Any:
        db.use_database(settings.database_url)
        pooled = await db.start_pool(max_size=2)
        try:
            return await work()
        finally:
            if pooled:
                await db.close_pool()

    return asyncio.run(wrapped())


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    applied = _run(settings, db.migrate)
    if applied:
        print(_("Databasen är uppdaterad (%(count)s ändringar).") % {"count": len(applied)})
    else:
        print(_("Databasen var redan uppdaterad."))
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    _run(settings, db.migrate)
    return _load_demo(settings, args.today or date.today())


def _load_demo(settings: Settings, today: date, *, draw: bool = True) -> int:
    from surveys.demo import PLAN_FILE, demo_exists, load_demo
    from surveys.meetings.pack import prepare_charts
    from surveys.plans.plan_file import load_plan_file

    async def work() -> dict[str, int] | None:
        if await demo_exists():
            return None
        counts = await load_demo(today, _progress)
        if not draw:
            return counts
        # The next meeting's charts are drawn now, so its pack is ready at once (`effekt report`).
        _progress(_("diagram till mötespaketet"), 0, 1)
        await prepare_charts(
            load_plan_file(PLAN_FILE).code,
            counts["next_meeting"],
            k=settings.min_group_size,
            locale=locales.current_locale(),
        )
        _progress(_("diagram till mötespaketet"), 1, 1)
        return counts

    counts = _run(settings, work)
    if counts is None:
        print(_("Demoplanen finns redan i databasen."))
    else:
        print(
            _("Demoplanen är inläst: %(waves)s mätomgångar, %(responses)s svar, %(meetings)s möten.")
            % {"waves": counts["waves"], "responses": counts["responses"], "meetings": counts["meetings"]}
        )
        print(
            _(
                "Mötespaketet till nästa möte: effekt report --plan %(plan)s --meeting %(id)s --out motespaket.pdf"
            )
            % {"plan": load_plan_file(PLAN_FILE).code, "id": counts["next_meeting"]}
        )
    return 0


def _progress(step: str, done: int, total: int) -> None:
    line = _("Läser in %(step)s: %(done)s av %(total)s") % {"step": step, "done": done, "total": total}
    if sys.stderr.isatty():
        print("\r" + line, end="\n" if done >= total else "", file=sys.stderr, flush=True)
    elif done >= total:
        print(line, file=sys.stderr)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server.request_log import configure_logging

    # Migrations run here, once, before any worker starts: workers racing to migrate break the database.
    _run(settings, db.migrate)
    if args.demo:
        _load_demo(settings, date.today(), draw=False)  # the server draws a pack's charts when asked
    host = args.host or settings.host
    port = args.port or settings.port
    workers = settings.workers if args.workers is None else args.workers
    if workers < 1:
        raise CommandError(_("--workers måste vara minst 1."))
    if workers > 1 and settings.is_sqlite:
        raise CommandError(_("SQLite klarar bara en arbetsprocess. Använd PostgreSQL för fler."))
    print(
        _("effekt körs på http://%(host)s:%(port)s/ – avsluta med Ctrl+C.") % {"host": host, "port": port},
        flush=True,
    )
    configure_logging()
    uvicorn.run(
        "server.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        # Only a configured load balancer may say who the client is (X-Forwarded-For).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        server_header=False,
        log_config=None,  # keep effekt's JSON log lines
    )
    return 0


def cmd_load_plan(settings: Settings, args: argparse.Namespace) -> int:
    """A new plan is stored; for one that exists the changes are shown, and made with --apply."""
    from surveys.db.tables import Plan
    from surveys.plans.plan_file import load_plan, load_plan_file
    from surveys.plans.plan_update import apply_plan_file, plan_changes

    definition = load_plan_file(_existing(args.file))

    async def work():
        await db.migrate()
        if not await Plan.exists().where(Plan.code == definition.code):
            await load_plan(definition)
            return None
        return await (apply_plan_file(definition) if args.apply else plan_changes(definition))

    changes = _run(settings, work)
    if changes is None:
        print(_("Planen %(code)s är inläst.") % {"code": definition.code})
        return 0
    if changes.none:
        print(_("Planen %(code)s finns redan och filen ändrar ingenting.") % {"code": definition.code})
        return 0
    headings = {"added": _("Läggs till"), "changed": _("Ändras"), "removed": _("Tas bort")}
    for kind, heading in headings.items():
        found = changes.of(kind)
        if found:
            print(f"{heading}:")
            for change in found:
                print(f"  {change.part}: {change.name}")
                for detail in change.details:
                    print(f"    {detail}")
    if changes.refusals:
        return _fail(
            _("Planfilen kan inte läsas in, eftersom den tar bort sådant som har svar eller historik."),
            {f"{n}": refusal for n, refusal in enumerate(changes.refusals, start=1)},
        )
    if args.apply:
        print(_("Planen %(code)s är ändrad.") % {"code": definition.code})
    else:
        print(_("Inget är ändrat än. Kör kommandot igen med --apply för att genomföra ändringarna."))
    return 0


def cmd_export_plan(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.plans.plan_export import plan_definition, plan_toml
    from surveys.plans.plan_workbook import plan_workbook

    async def work():
        return await plan_definition(args.code)

    definition = _run(settings, work)
    if args.output is None:
        sys.stdout.write(plan_toml(definition))
        return 0
    if args.output.suffix.lower() == ".xlsx":
        args.output.write_bytes(plan_workbook(definition))
    else:
        args.output.write_text(plan_toml(definition), encoding="utf-8")
    print(_("Planen %(code)s är sparad i %(file)s.") % {"code": definition.code, "file": args.output})
    return 0


def cmd_load_questionnaire(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.questionnaires.designer import TrendBreakNotConfirmed
    from surveys.questionnaires.file_import import import_questionnaire

    data = _existing(args.file).read_bytes()

    async def work():
        await db.migrate()
        # The same rules as a file read in on the questionnaire page: the plan's channels, a new version
        # staying in its plan, a broken trend confirmed, and a line in the audit log.
        return await import_questionnaire(
            data, confirm_trend_break=args.confirm_trend_break, plan_code=args.plan or ""
        )

    try:
        definition = _run(settings, work)
    except TrendBreakNotConfirmed as exc:
        raise CommandError(
            _(
                "Frågorna %(codes)s har ny formulering eller skala, så trenden bryts. Kör kommandot igen med "
                "--confirm-trend-break om det är avsiktligt."
            )
            % {"codes": ", ".join(exc.codes)}
        ) from None
    print(_("Enkäten %(code)s är inläst som en ny version.") % {"code": definition.code})
    return 0


def cmd_create_wave(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.waves.setup import create_wave

    async def work() -> None:
        async with db.write_transaction():
            await create_wave(
                plan_code=args.plan,
                questionnaire_code=args.questionnaire,
                slug=args.slug,
                title=args.title,
                opens_at=args.opens,
                closes_at=args.closes,
                target_groups=args.target_group,
                organisations=args.organisation,
                now=datetime.now(UTC),
                past_confirmed=args.confirm_past,
            )

    _run(settings, work)
    print(_("Mätomgången finns nu på /e/%(slug)s.") % {"slug": args.slug})
    return 0


def _new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(_("Lösenord: "))
    if getpass.getpass(_("Lösenord igen: ")) != password:
        raise CommandError(_("Lösenorden var inte likadana."))
    return password


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.accounts.users import create_user

    password = _new_password(args)

    async def work() -> None:
        await db.migrate()
        async with db.write_transaction():
            await create_user(
                args.username,
                password,
                Role(args.role),
                args.name,
                plans=args.plan,
                organisations=args.organisation,
            )

    _run(settings, work)
    print(_("Användaren %(name)s är skapad.") % {"name": args.username.strip().lower()})
    return 0


def cmd_grant(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.accounts.users import scope_text, set_grants

    async def work():
        await db.migrate()
        return await set_grants(await _user_id(args.username), args.plan, args.organisation)

    changed = _run(settings, work)
    print(
        _("%(name)s: rollen %(role)s gäller nu %(scope)s.")
        % {"name": changed.username, "role": changed.role.label, "scope": scope_text(changed.scopes)}
    )
    return 0


async def _user_id(username: str) -> int:
    from surveys.accounts.users import normalise_username
    from surveys.db.tables import User

    user = await User.select(User.id).where(User.username == normalise_username(username)).first()
    if user is None:
        raise CommandError(_("Det finns ingen användare som heter %(name)s.") % {"name": username})
    return user["id"]


def cmd_create_token(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.accounts.audit import COMMAND_LINE
    from surveys.accounts.users import create_token

    async def work() -> str:
        return await create_token(await _user_id(args.username), args.name, args.days, by=COMMAND_LINE)

    token = _run(settings, work)
    expires = (datetime.now(STOCKHOLM) + timedelta(days=args.days)).date()
    print(
        _("API-nyckel, gäller till och med %(day)s (visas bara nu, spara den säkert):")
        % {"day": expires.isoformat()},
        file=sys.stderr,
    )
    print(token)
    return 0


def cmd_set_password(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.accounts.users import reset_password

    password = _new_password(args)

    async def work() -> None:
        await reset_password(await _user_id(args.username), password)

    _run(settings, work)
    print(
        _("%(name)s har ett nytt lösenord och är utloggad överallt.")
        % {"name": args.username.strip().lower()}
    )
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.errors import NotFound
    from surveys.meetings.pack import pack_branding, pack_file

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "pptx", "html"):
        raise CommandError(_("Filen ska sluta på .pdf, .pptx eller .html."))
    if not args.out.parent.is_dir():
        raise CommandError(_("Mappen %(folder)s finns inte.") % {"folder": args.out.parent})

    async def work() -> bytes:
        branding = pack_branding(settings.installation_name, settings.logo, settings.colour)
        try:
            data, _held_on = await pack_file(
                args.plan, args.meeting, fmt, branding, k=settings.min_group_size
            )
        except NotFound:
            raise CommandError(
                _("Det finns inget möte %(id)s i planen %(plan)s.") % {"id": args.meeting, "plan": args.plan}
            ) from None
        return data

    args.out.write_bytes(_run(settings, work))
    print(_("Mötespaketet är sparat i %(file)s.") % {"file": args.out})
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.operations.backup import BackupError, backup, default_name

    out = args.out or Path(
        default_name(settings.database_url, datetime.now(STOCKHOLM).strftime("%Y%m%d-%H%M"))
    )
    if out.exists() and out.is_dir():
        raise CommandError(_("%(file)s är en mapp; ange en fil.") % {"file": out})
    try:
        written = backup(settings.database_url, out)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(
        _("Säkerhetskopian är sparad i %(file)s (%(size)s).")
        % {"file": written.path, "size": _size(written.size)}
    )
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.operations.backup import BackupError, migrations_in, restore

    source = _existing(args.file)

    async def check() -> None:
        from surveys.db.tables import Plan, Response, User

        known = set(await db.known_migrations())
        try:
            newer = [name for name in migrations_in(source) if name not in known]
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if newer:
            raise CommandError(
                _("Säkerhetskopian kommer från en nyare version av effekt. Uppdatera effekt först.")
            )
        if args.replace or not await db.has_tables():
            return
        if await Plan.exists() or await Response.exists() or await User.exists():
            raise CommandError(
                _(
                    "Databasen innehåller redan data. Lägg till --replace för att ersätta den med "
                    "säkerhetskopian (allt som inte finns i kopian försvinner)."
                )
            )

    _run(settings, check)
    try:
        restore(settings.database_url, source)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    applied = _run(settings, db.migrate)  # a backup from an older version gets this version's tables
    print(_("Databasen är återställd från %(file)s.") % {"file": source})
    if applied:
        print(_("Databasen är uppdaterad (%(count)s ändringar).") % {"count": len(applied)})
    return 0


def cmd_release(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.results.releases import release_open_wave

    async def work():
        await db.migrate()
        return await release_open_wave(args.slug, datetime.now(UTC))

    made = _run(settings, work)
    print(
        _("Mätomgången %(slug)s är delredovisad %(day)s, med svaren till och med dagen före.")
        % {"slug": args.slug, "day": made.released_on}
    )
    return 0


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    from surveys.operations import retention

    today = args.today or datetime.now(STOCKHOLM).date()

    async def work():
        await db.migrate()
        if args.dry_run:
            return await retention.plan_purge(today, settings.retention_days)
        return await retention.purge(today, settings.retention_days)

    result = _run(settings, work)
    print(
        _("Gallringsfrist: %(days)s dagar. Svar från mätomgångar som stängde före %(cutoff)s gallras.")
        % {"days": result.retention_days, "cutoff": result.cutoff.isoformat()}
    )
    if result.login_failures:
        print(
            _("%(count)s gamla misslyckade inloggningar (bara hashvärden) raderas.")
            % {"count": result.login_failures}
        )
    if result.form_tokens:
        print(_("%(count)s gamla formulärnycklar (bara hashvärden) raderas.") % {"count": result.form_tokens})
    if not result.waves:
        print(_("Inga svar att gallra."))
        return 0
    for wave in result.waves:
        print(
            _(
                "%(slug)s (stängde %(closed)s): %(responses)s svar, %(texts)s fritextsvar, %(codes)s engångskoder"
            )
            % {
                "slug": wave.slug,
                "closed": wave.closed_on.isoformat(),
                "responses": wave.responses,
                "texts": wave.free_texts,
                "codes": wave.access_codes,
            }
        )
    if args.dry_run:
        print(_("Provkörning: inget är raderat. Kör utan --dry-run för att gallra."))
    else:
        print(
            _("Gallrat: %(count)s svar. Antal per organisation och målgrupp finns kvar för resultaten.")
            % {"count": result.responses}
        )
    return 0


def cmd_migrate_data(settings: Settings, args: argparse.Namespace) -> int:
    from server.settings import check_database_url
    from surveys.operations.data_copy import DataCopyError, copy_database

    try:
        check_database_url(args.to)
    except SettingsError as exc:
        raise CommandError((_(exc.message) % exc.fields).replace("EFFEKT_DATABASE_URL", "--to")) from None

    async def work():
        return await copy_database(settings.database_url, args.to, _progress)

    try:
        counts = asyncio.run(work())
    except DataCopyError as exc:
        raise CommandError(str(exc)) from None
    width = max(len(c.table) for c in counts)
    for count in counts:
        print(f"{count.table:<{width}}  {count.source:>9}  {count.target:>9}")
    print(
        _("Klart: %(rows)s rader i %(tables)s tabeller är kopierade och räknade på båda sidor.")
        % {"rows": sum(c.target for c in counts), "tables": len(counts)}
    )
    print(_("Sätt nu EFFEKT_DATABASE_URL till den nya databasen och starta om effekt."))
    return 0


def _size(size: int) -> str:
    from babel.numbers import format_decimal

    if size < 1024 * 1024:
        return _("%(n)s kB") % {"n": format_decimal(round(size / 1024, 1), locale=locales.babel_locale())}
    return _("%(n)s MB") % {"n": format_decimal(round(size / 1024 / 1024, 1), locale=locales.babel_locale())}


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise CommandError(_("Filen %(file)s finns inte.") % {"file": path})
    return path


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "demo": cmd_demo,
    "load-plan": cmd_load_plan,
    "export-plan": cmd_export_plan,
    "load-questionnaire": cmd_load_questionnaire,
    "create-wave": cmd_create_wave,
    "create-user": cmd_create_user,
    "grant": cmd_grant,
    "create-token": cmd_create_token,
    "set-password": cmd_set_password,
    "report": cmd_report,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "release": cmd_release,
    "purge": cmd_purge,
    "migrate-data": cmd_migrate_data,
}

if __name__ == "__main__":
    sys.exit(main())
