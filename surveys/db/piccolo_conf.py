"""Piccolo's configuration module (found through PICCOLO_CONF, set in surveys/__init__.py)."""

import os

from piccolo.conf.apps import AppRegistry

from surveys.db.engine import engine_for_url

DB = engine_for_url(os.environ.get("EFFEKT_DATABASE_URL", "sqlite:///var/effekt.sqlite"))

APP_REGISTRY = AppRegistry(apps=["surveys.db.piccolo_app"])
