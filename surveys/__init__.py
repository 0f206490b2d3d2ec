"""The domain: plans, questionnaires, waves and responses, stored with Piccolo."""

import os

# Piccolo finds its engine and apps through this module; the engine itself is chosen at run time
# by surveys.db.engine.use_database(), so importing tables never opens or creates a database.
os.environ.setdefault("PICCOLO_CONF", "surveys.db.piccolo_conf")
