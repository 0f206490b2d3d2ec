"""`effekt create-user … --plan … --organisation …` and `effekt grant`, as an IT contact runs them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.server.test_cli import ROOT, effekt

DEMO_PLAN = ROOT / "surveys" / "demo" / "vasternorrland.toml"


@pytest.fixture
def sqlite_env(tmp_path) -> dict[str, str]:
    env = {"EFFEKT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", "PYTHONPATH": str(ROOT)}
    assert effekt("load-plan", str(DEMO_PLAN), env=env).returncode == 0
    return env


def create_user(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "create-user", *args, "--password-stdin"],
        input="ett-langt-losenord\n",
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("EFFEKT_", "LANG", "LC_"))}, **env},
        cwd=ROOT,
        timeout=120,
    )


def stored(env: dict[str, str], query: str) -> list[tuple]:
    with sqlite3.connect(env["EFFEKT_DATABASE_URL"].removeprefix("sqlite:///")) as connection:
        return connection.execute(query).fetchall()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--plan", "finns-inte"], "Det finns ingen plan med koden finns-inte"),
        (["--organisation", "sundsvall"], "ange precis en plan"),
        (
            ["--plan", "vasternorrland-2026", "--organisation", "saknas"],
            "ingen organisation med koden saknas",
        ),
        (["--role", "admin", "--plan", "vasternorrland-2026"], "En administratör har alltid alla planer"),
    ],
)
def test_create_user_refuses_unknown_codes_in_swedish_and_stores_nothing(sqlite_env, extra, message):
    role = [] if "--role" in extra else ["--role", "kommunikator"]
    result = create_user(sqlite_env, "ny@example.se", *role, *extra)
    assert result.returncode == 1
    assert message in result.stderr
    assert stored(sqlite_env, "select count(*) from effekt_user") == [(0,)]
    assert stored(sqlite_env, "select count(*) from user_scope") == [(0,)]


def test_create_user_grants_a_plan_or_organisations_of_one_plan(sqlite_env):
    whole = create_user(sqlite_env, "lan@example.se", "--role", "lasare", "--plan", "vasternorrland-2026")
    local = create_user(
        sqlite_env,
        "sundsvall@example.se",
        "--role",
        "kommunikator",
        "--plan",
        "vasternorrland-2026",
        "--organisation",
        "sundsvall",
        "--organisation",
        "kramfors",
    )
    assert whole.returncode == 0, whole.stderr
    assert local.returncode == 0, local.stderr
    rows = stored(
        sqlite_env,
        "select u.username, s.whole_plan, o.code from user_scope s join effekt_user u on u.id = s.user "
        "left join organisation o on o.id = s.organisation order by u.username, o.code",
    )
    assert rows == [
        ("lan@example.se", 1, None),
        ("sundsvall@example.se", 0, "kramfors"),
        ("sundsvall@example.se", 0, "sundsvall"),
    ]


def test_grant_changes_a_user_s_plans_and_back_to_every_plan(sqlite_env):
    assert create_user(sqlite_env, "k@example.se", "--role", "kommunikator").returncode == 0
    narrowed = effekt("grant", "k@example.se", "--plan", "vasternorrland-2026", env=sqlite_env)
    assert narrowed.returncode == 0, narrowed.stderr
    assert "plan vasternorrland-2026" in narrowed.stdout
    refused = effekt("grant", "k@example.se", "--plan", "nej", env=sqlite_env)
    assert refused.returncode == 1 and "ingen plan med koden nej" in refused.stderr
    assert stored(sqlite_env, "select count(*) from user_scope") == [(1,)]  # unchanged by the refusal
    widened = effekt("grant", "k@example.se", env=sqlite_env)
    assert widened.returncode == 0 and "alla planer" in widened.stdout
    assert stored(sqlite_env, "select count(*) from user_scope") == [(0,)]
