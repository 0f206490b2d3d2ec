"""A provider account (issuer and subject) is linked to one effekt user at most.

Piccolo's column options cannot express a key over two columns, and raw statements run before a migration's
own table changes, so this follows the migration that makes the table. Plain DDL for SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T02:40:45:000000"
VERSION = "1.38.0"
DESCRIPTION = "Single sign-on: one link per provider account"


async def unique_provider_account():
    await engine_finder().run_ddl(
        "CREATE UNIQUE INDEX federated_identity_account ON federated_identity (issuer, subject)"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)
    manager.add_raw(unique_provider_account)
    return manager
