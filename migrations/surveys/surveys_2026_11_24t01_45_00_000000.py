"""Composite keys and the counting index, which Piccolo's column options cannot express.

Raw statements run before a migration's own table changes, so these live in a migration of their
own, after the tables exist. Plain DDL that SQLite and PostgreSQL both accept.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T01:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite keys and counting indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)
    for statement in STATEMENTS:
        manager.add_raw(_raw(statement))
    return manager


def _raw(statement: str):
    async def run():
        await engine_finder().run_ddl(statement)

    return run


STATEMENTS = (
    "CREATE UNIQUE INDEX target_group_plan_code ON target_group (plan, code)",
    "CREATE UNIQUE INDEX channel_plan_code ON channel (plan, code)",
    "CREATE UNIQUE INDEX activity_plan_code ON activity (plan, code)",
    "CREATE UNIQUE INDEX target_group_size_key ON target_group_size (target_group, organisation)",
    "CREATE UNIQUE INDEX plan_organisation_key ON plan_organisation (plan, organisation)",
    "CREATE UNIQUE INDEX questionnaire_version_key ON questionnaire_version (questionnaire, number)",
    "CREATE UNIQUE INDEX question_version_code ON question (version, code)",
    "CREATE UNIQUE INDEX option_question_code ON option (question, code)",
    "CREATE UNIQUE INDEX wave_target_group_key ON wave_target_group (wave, target_group)",
    "CREATE UNIQUE INDEX wave_organisation_key ON wave_organisation (wave, organisation)",
    "CREATE INDEX response_wave ON response (wave, organisation, target_group)",
    "CREATE INDEX answer_response ON answer (response)",
    # The results count answers per wave × question × option, broken down by organisation and group.
    "CREATE INDEX answer_counts ON answer (wave, question, option, organisation, target_group)",
    "CREATE INDEX access_code_wave ON access_code (wave)",
)
