"""The Piccolo app that owns effekt's tables; its migrations live in the top-level migrations/ folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from surveys.db.tables import TABLES

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "surveys"

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
