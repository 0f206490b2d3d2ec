"""Moving effekt's data to PostgreSQL (`effekt migrate-data --to postgresql://…`).

The target is migrated to this version's tables first and must hold no data. Every table is then read from
the source in id order, in batches, and written with PostgreSQL's COPY, all in one transaction on the
target: a failure leaves the target as empty as it was. Ids are kept (answers refer to them), so each id
sequence is moved past the highest copied id. Finally each table is counted on both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

from locales import gettext as _
from surveys.db import engine as db

BATCH = 5000


class DataCopyError(Exception):
    """The copy cannot be done or did not verify; the message says why, in Swedish."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


Progress = Callable[[str, int, int], None]


async def copy_database(
    source_url: str, target_url: str, progress: Progress | None = None
) -> list[TableCount]:
    import asyncpg

    from surveys.db.tables import TABLES

    if urlparse(target_url).scheme not in ("postgresql", "postgres"):
        raise DataCopyError(
            _("Målet ska vara en PostgreSQL-databas, till exempel postgresql://effekt@server/effekt.")
        )
    if source_url == target_url:
        raise DataCopyError(_("Källan och målet är samma databas."))

    db.use_database(target_url)
    await db.migrate()
    db.use_database(source_url)
    await db.migrate()
    counts = {table._meta.tablename: await table.count() for table in TABLES}

    connection = await asyncpg.connect(target_url, timeout=10)
    try:
        for table in TABLES:
            name = table._meta.tablename
            if await connection.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{name}")'):
                raise DataCopyError(
                    _("Måldatabasen innehåller redan data (tabellen %(table)s). Använd en tom databas.")
                    % {"table": name}
                )
        async with connection.transaction():
            for table in TABLES:
                await _copy_table(table, connection, counts[table._meta.tablename], progress)
            result = [
                TableCount(name, counts[name], await connection.fetchval(f'SELECT COUNT(*) FROM "{name}"'))
                for name in (t._meta.tablename for t in TABLES)
            ]
            wrong = [c.table for c in result if not c.matches]
            if wrong:
                # Raising inside the transaction rolls the whole copy back.
                raise DataCopyError(
                    _("Antalet rader stämmer inte efter kopieringen (%(tables)s). Inget har sparats.")
                    % {"tables": ", ".join(wrong)}
                )
    finally:
        await connection.close()
    return result


async def _copy_table(table, connection, total: int, progress: Progress | None) -> None:
    name = table._meta.tablename
    columns = [c._meta.db_column_name for c in table._meta.columns]
    done, last_id = 0, None
    while True:
        query = table.select(*table._meta.columns).order_by(table.id).limit(BATCH)
        if last_id is not None:
            query = query.where(table.id > last_id)
        rows = await query
        if not rows:
            break
        await connection.copy_records_to_table(
            name,
            records=[tuple(row[c._meta.name] for c in table._meta.columns) for row in rows],
            columns=columns,
        )
        last_id = rows[-1]["id"]
        done += len(rows)
        if progress:
            progress(name, done, total)
    if total == 0 and progress:
        progress(name, 0, 0)
    await connection.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
        f'FROM "{name}"'
    )
