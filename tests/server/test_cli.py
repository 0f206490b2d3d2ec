"""The effekt command as an IT contact runs it: help, settings errors, migrations, files, demo."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def effekt(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("EFFEKT_", "LANG", "LC_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=120,
    )


@pytest.fixture
def sqlite_env(tmp_path) -> dict[str, str]:
    return {"EFFEKT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", "PYTHONPATH": str(ROOT)}


def test_help_is_in_swedish_by_default():
    result = effekt("--help")
    assert result.returncode == 0
    assert "användning: effekt" in result.stdout
    assert "läs in demoplanen" in result.stdout


def test_help_is_in_english_for_an_english_locale():
    result = effekt("--help", env={"LANG": "en_GB.UTF-8"})
    assert result.returncode == 0
    assert "usage: effekt" in result.stdout
    assert "load the Västernorrland demo plan" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EFFEKT_DATABASE_URL", "mysql://x"),
        ("EFFEKT_MIN_GROUP_SIZE", "2"),
        ("EFFEKT_PORT", "hundra"),
        ("EFFEKT_SECRET_KEY", "kort"),
    ],
)
def test_an_invalid_setting_stops_with_one_line_naming_the_variable(name, value, sqlite_env):
    result = effekt("migrate", env={**sqlite_env, name: value})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_database_and_a_second_run_has_nothing_to_do(sqlite_env):
    first = effekt("migrate", env=sqlite_env)
    assert first.returncode == 0, first.stderr
    assert "Databasen är uppdaterad" in first.stdout
    second = effekt("migrate", env=sqlite_env)
    assert second.returncode == 0
    assert "redan uppdaterad" in second.stdout


def test_the_demo_loads_once_with_progress_and_reports_counts(sqlite_env):
    result = effekt("demo", env=sqlite_env)
    assert result.returncode == 0, result.stderr
    assert "Demoplanen är inläst: 4 mätomgångar" in result.stdout
    assert "Läser in omgang-1-2026" in result.stderr
    again = effekt("demo", env=sqlite_env)
    assert again.returncode == 0
    assert "finns redan" in again.stdout


def test_a_questionnaire_file_with_problems_is_refused_in_one_line(sqlite_env, tmp_path):
    bad = tmp_path / "enkat.toml"
    bad.write_text(
        textwrap.dedent(
            """
            code = "x"
            title = "X"
            [[questions]]
            code = "a"
            kind = "dropdown"
            text = "A?"
            """
        ),
        encoding="utf-8",
    )
    result = effekt("load-questionnaire", str(bad), env=sqlite_env)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "kind måste vara en av" in result.stderr


def test_a_missing_file_is_named(sqlite_env, tmp_path):
    result = effekt("load-plan", str(tmp_path / "saknas.toml"), env=sqlite_env)
    assert result.returncode == 1
    assert "saknas.toml finns inte" in result.stderr


def test_plans_questionnaires_and_waves_load_from_files(sqlite_env):
    demo = ROOT / "surveys" / "demo"
    assert effekt("load-plan", str(demo / "vasternorrland.toml"), env=sqlite_env).returncode == 0
    loaded = effekt(
        "load-questionnaire", str(demo / "uppfoljning.toml"), "--plan", "vasternorrland-2026", env=sqlite_env
    )
    assert loaded.returncode == 0, loaded.stderr
    created = effekt(
        "create-wave",
        "--plan=vasternorrland-2026",
        "--questionnaire=uppfoljning-fardplan",
        "--slug=omgang-1-2027",
        "--title=Mätomgång 1 2027",
        "--opens=2027-03-01T08:00",
        "--closes=2027-03-19T17:00",
        "--target-group=medarbetare",
        env=sqlite_env,
    )
    assert created.returncode == 0, created.stderr
    assert "/e/omgang-1-2027" in created.stdout
    duplicate = effekt(
        "create-wave",
        "--plan=vasternorrland-2026",
        "--questionnaire=uppfoljning-fardplan",
        "--slug=omgang-1-2027",
        "--title=Igen",
        "--opens=2027-03-01T08:00",
        "--closes=2027-02-19T17:00",
        env=sqlite_env,
    )
    assert duplicate.returncode == 1
    assert "finns redan en mätomgång" in duplicate.stderr
    assert "stänga efter att den öppnar" in duplicate.stderr


def test_a_wave_that_has_already_closed_is_made_only_when_confirmed(sqlite_env):
    demo = ROOT / "surveys" / "demo"
    assert effekt("load-plan", str(demo / "vasternorrland.toml"), env=sqlite_env).returncode == 0
    loaded = effekt(
        "load-questionnaire", str(demo / "uppfoljning.toml"), "--plan", "vasternorrland-2026", env=sqlite_env
    )
    assert loaded.returncode == 0, loaded.stderr
    past = [
        "create-wave",
        "--plan=vasternorrland-2026",
        "--questionnaire=uppfoljning-fardplan",
        "--slug=pappersenkaten",
        "--title=Svar på papper",
        "--opens=2020-03-02T08:00",
        "--closes=2020-03-20T17:00",
    ]
    refused = effekt(*past, env=sqlite_env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "som redan har varit" in refused.stderr
    created = effekt(*past, "--confirm-past", env=sqlite_env)
    assert created.returncode == 0, created.stderr
    assert "/e/pappersenkaten" in created.stdout


def test_backup_restore_and_a_refusal_to_overwrite_data_by_accident(sqlite_env, tmp_path):
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.cli",
            "create-user",
            "it@example.se",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="ett-langt-losenord\n",
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")}, **sqlite_env},
        cwd=ROOT,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    file = tmp_path / "kopia.sqlite"

    made = effekt("backup", "--out", str(file), env=sqlite_env)
    refused = effekt("restore", str(file), env=sqlite_env)
    restored = effekt("restore", str(file), "--replace", env=sqlite_env)

    assert made.returncode == 0 and "Säkerhetskopian är sparad" in made.stdout
    assert refused.returncode == 1 and "--replace" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert restored.returncode == 0 and "återställd" in restored.stdout


def test_backup_names_its_file_by_date_when_no_file_is_given(sqlite_env, tmp_path):
    effekt("migrate", env=sqlite_env)

    result = effekt("backup", env=sqlite_env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert [p.suffix for p in tmp_path.glob("effekt-*.sqlite")] == [".sqlite"]


def test_purge_dry_run_says_what_would_go_and_that_nothing_was_deleted(sqlite_env):
    effekt("demo", env=sqlite_env)

    dry = effekt("purge", "--dry-run", "--today", "2030-01-01", env=sqlite_env)
    real = effekt("purge", "--today", "2030-01-01", env=sqlite_env)
    again = effekt("purge", "--today", "2030-01-01", env=sqlite_env)

    assert dry.returncode == 0, dry.stderr
    assert "Provkörning: inget är raderat" in dry.stdout
    assert "omgang-1-2026" in dry.stdout and "fritextsvar" in dry.stdout
    assert "Gallrat:" in real.stdout
    assert "Inga svar att gallra." in again.stdout


def test_migrate_data_refuses_a_target_that_is_not_postgresql(sqlite_env, tmp_path):
    result = effekt("migrate-data", "--to", f"sqlite:///{tmp_path / 'x.sqlite'}", env=sqlite_env)

    assert result.returncode == 1
    assert "PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_restore_of_a_missing_file_names_it(sqlite_env, tmp_path):
    result = effekt("restore", str(tmp_path / "saknas.sqlite"), env=sqlite_env)

    assert result.returncode == 1
    assert "saknas.sqlite" in result.stderr


def test_release_publishes_an_open_wave_once_a_day_and_refuses_one_not_open(sqlite_env):
    demo = ROOT / "surveys" / "demo"
    assert effekt("load-plan", str(demo / "vasternorrland.toml"), env=sqlite_env).returncode == 0
    loaded = effekt(
        "load-questionnaire", str(demo / "uppfoljning.toml"), "--plan", "vasternorrland-2026", env=sqlite_env
    )
    assert loaded.returncode == 0, loaded.stderr
    for slug, opens, closes in [
        ("pagar", "2020-01-01T08:00", "2099-12-31T17:00"),
        ("senare", "2099-01-01T08:00", "2099-02-01T08:00"),
    ]:
        created = effekt(
            "create-wave",
            "--plan=vasternorrland-2026",
            "--questionnaire=uppfoljning-fardplan",
            f"--slug={slug}",
            "--title=Omgång",
            f"--opens={opens}",
            f"--closes={closes}",
            env=sqlite_env,
        )
        assert created.returncode == 0, created.stderr
    released = effekt("release", "pagar", env=sqlite_env)
    assert released.returncode == 0, released.stderr
    assert "pagar är delredovisad" in released.stdout
    again = effekt("release", "pagar", env=sqlite_env)
    assert again.returncode == 1 and "i morgon" in again.stderr
    not_open = effekt("release", "senare", env=sqlite_env)
    assert not_open.returncode == 1 and "Bara en öppen mätomgång" in not_open.stderr


def test_a_questionnaire_file_that_breaks_a_trend_is_refused_until_confirmed(sqlite_env, tmp_path):
    demo = ROOT / "surveys" / "demo"
    assert effekt("load-plan", str(demo / "vasternorrland.toml"), env=sqlite_env).returncode == 0
    first = effekt(
        "load-questionnaire", str(demo / "uppfoljning.toml"), "--plan", "vasternorrland-2026", env=sqlite_env
    )
    assert first.returncode == 0, first.stderr
    reworded = tmp_path / "uppfoljning.toml"
    reworded.write_text(
        (demo / "uppfoljning.toml")
        .read_text(encoding="utf-8")
        .replace("Känner du till Färdplan Nära vård i Västernorrland?", "Har du hört talas om färdplanen?"),
        encoding="utf-8",
    )
    refused = effekt("load-questionnaire", str(reworded), env=sqlite_env)
    assert refused.returncode == 1
    assert "kannedom" in refused.stderr and "--confirm-trend-break" in refused.stderr
    confirmed = effekt("load-questionnaire", str(reworded), "--confirm-trend-break", env=sqlite_env)
    assert confirmed.returncode == 0, confirmed.stderr
