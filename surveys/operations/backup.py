"""Backups and restores: SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore.

A backup is one file. From SQLite it is itself an SQLite database, written by `VACUUM INTO` (consistent
even while the server writes, since it copies a snapshot); from PostgreSQL it is pg_dump's custom format.
Neither keeps the order in which people answered: SQLite's copy is built afresh, in the order of the
random ids, and before pg_dump runs, the tables are rewritten in that order (`POSTGRES_REORDER`, which
waits for submissions in progress and holds new ones back for its few seconds). A restore
reads the file's first bytes to tell which it is, refuses a file from the other engine (use
`effekt migrate-data` to move between engines) or from a newer effekt, and is all or nothing: SQLite copies
into the live file in one write transaction, PostgreSQL restores in one transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from locales import gettext as _
from surveys.db.engine import POSTGRES_REORDER

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
MIGRATION_TABLE = "migration"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Swedish."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    engine: str  # "sqlite" | "postgresql"
    size: int


def engine_of(url: str) -> str:
    return "sqlite" if urlparse(url).scheme == "sqlite" else "postgresql"


def default_name(url: str, stamp: str) -> str:
    return f"effekt-{stamp}.{'sqlite' if engine_of(url) == 'sqlite' else 'dump'}"


def backup(url: str, out: Path) -> BackupFile:
    """Write a backup of the database at `url` to `out` (replaced only when the backup is complete)."""
    if not out.parent.is_dir():
        raise BackupError(_("Mappen %(folder)s finns inte.") % {"folder": out.parent})
    partial = out.with_name(out.name + ".part")
    try:
        if engine_of(url) == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _run_tool(
                "psql",
                ["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={url}"]
                + [f"--command={statements}" for statements in POSTGRES_REORDER],
            )
            _run_tool(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", f"--dbname={url}"],
            )
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupFile(out, engine_of(url), out.stat().st_size)


def file_engine(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError:
        raise BackupError(_("Filen %(file)s går inte att läsa.") % {"file": path}) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(_("Filen %(file)s är ingen säkerhetskopia från effekt.") % {"file": path})


def restore(url: str, source: Path) -> None:
    """Replace the database at `url` with the backup in `source`. The caller checks `replace` first."""
    kind = file_engine(source)
    if kind != engine_of(url):
        raise BackupError(
            _(
                "Säkerhetskopian kommer från %(source)s men databasen är %(target)s. Återställ till samma "
                "slags databas och flytta sedan med effekt migrate-data."
            )
            % {"source": _engine_name(kind), "target": _engine_name(engine_of(url))}
        )
    if kind == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    else:
        _run_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={url}",
                str(source),
            ],
        )


def migrations_in(source: Path) -> list[str]:
    """The migrations a backup file's database had run (to refuse backups from a newer effekt)."""
    if file_engine(source) == "sqlite":
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            return [row[0] for row in connection.execute(f"SELECT name FROM {MIGRATION_TABLE}")]
        except sqlite3.DatabaseError:
            raise BackupError(
                _("Filen %(file)s är ingen säkerhetskopia från effekt.") % {"file": source}
            ) from None
        finally:
            connection.close()
    listing = _run_tool("pg_restore", ["--list", str(source)])
    if (
        f"TABLE public {MIGRATION_TABLE}" not in listing
        and f"TABLE DATA public {MIGRATION_TABLE}" not in listing
    ):
        raise BackupError(_("Filen %(file)s är ingen säkerhetskopia från effekt.") % {"file": source})
    # The custom format keeps table data compressed; pg_restore prints it as SQL on request.
    data = _run_tool("pg_restore", ["--data-only", f"--table={MIGRATION_TABLE}", "--file=-", str(source)])
    names = []
    copying = False
    for line in data.splitlines():
        if line.startswith("COPY ") and f"{MIGRATION_TABLE} " in line:
            copying = True
            columns = line[line.index("(") + 1 : line.index(")")].replace('"', "").split(", ")
            name_at = columns.index("name")
        elif copying and line == "\\.":
            copying = False
        elif copying:
            names.append(line.split("\t")[name_at])
    return names


def _engine_name(kind: str) -> str:
    return "SQLite" if kind == "sqlite" else "PostgreSQL"


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _sqlite_backup(database: Path, out: Path) -> None:
    if not database.is_file():
        raise BackupError(_("Databasfilen %(file)s finns inte.") % {"file": database})
    out.unlink(missing_ok=True)  # VACUUM INTO writes only a new file (a crashed run may have left one)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        # Rebuilt page by page in key order, unlike a copy of the pages: nothing of the order in which rows
        # were written, and nothing of deleted rows, comes along.
        source.execute("VACUUM INTO ?", (str(out),))
    finally:
        source.close()
    target = sqlite3.connect(out)
    try:
        # The copy is a self-contained file: no -wal beside it to lose when it is moved.
        target.execute("PRAGMA journal_mode=DELETE")
        (result,) = target.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(_("Säkerhetskopian blev inte hel (%(detail)s).") % {"detail": result})
    finally:
        target.close()


def _sqlite_restore(source: Path, database: Path) -> None:
    check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        (result,) = check.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError:
        result = "not a database"
    finally:
        check.close()
    if result != "ok":
        raise BackupError(
            _("Säkerhetskopian %(file)s är skadad (%(detail)s).") % {"file": source, "detail": result}
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    # The backup API copies the whole file in one write transaction on the live database, so a failure
    # leaves it as it was and a server holding it open sees the restored data at once.
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30)
    try:
        reader.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        reader.close()


def _run_tool(tool: str, arguments: list[str]) -> str:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            _(
                "Programmet %(tool)s saknas. Installera PostgreSQL:s klientprogram (paketet postgresql-client) "
                "i samma version som servern."
            )
            % {"tool": tool}
        )
    completed = subprocess.run(
        [executable, *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else tool
        raise BackupError(_("%(tool)s misslyckades: %(detail)s") % {"tool": tool, "detail": detail})
    return completed.stdout
