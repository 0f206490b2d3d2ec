"""Settings from the environment: sensible defaults, and a one-line message naming any bad variable."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from server.settings import Settings, SettingsError

GOOD_KEY = "k" * 32


def rejected(env: dict[str, str]) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    return caught.value


# --- defaults -------------------------------------------------------------------------------------------


def test_without_any_variables_effekt_uses_a_sqlite_file_under_var() -> None:
    settings = Settings.from_env({})

    assert settings.is_sqlite
    assert settings.sqlite_path == Path("var") / "effekt.sqlite"


def test_without_any_variables_the_minimum_group_size_is_five() -> None:
    assert Settings.from_env({}).min_group_size == 5


def test_without_any_variables_effekt_listens_on_localhost_port_8000_over_http_in_swedish() -> None:
    settings = Settings.from_env({})

    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.https is False
    assert settings.default_locale == "sv"


def test_without_a_configured_secret_key_a_long_random_key_is_generated() -> None:
    first = Settings.from_env({})
    second = Settings.from_env({})

    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key


def test_empty_variables_count_as_not_set() -> None:
    settings = Settings.from_env(
        {
            "EFFEKT_MIN_GROUP_SIZE": "",
            "EFFEKT_PORT": " ",
            "EFFEKT_HTTPS": "",
            "EFFEKT_DEFAULT_LANGUAGE": "",
            "EFFEKT_HOST": "",
            "EFFEKT_SECRET_KEY": "",
        }
    )

    assert (settings.min_group_size, settings.port, settings.https) == (5, 8000, False)
    assert (settings.default_locale, settings.host) == ("sv", "127.0.0.1")
    assert len(settings.secret_key) >= 32


def test_the_given_mapping_is_read_instead_of_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EFFEKT_PORT", "not-a-port")

    assert Settings.from_env({}).port == 8000


def test_without_a_mapping_the_process_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EFFEKT_PORT", "9123")

    assert Settings.from_env().port == 9123


def test_settings_cannot_be_changed_once_read() -> None:
    settings = Settings.from_env({})

    with pytest.raises(FrozenInstanceError):
        settings.min_group_size = 1  # type: ignore[misc]


# --- each variable --------------------------------------------------------------------------------------


def test_a_sqlite_database_url_points_at_the_given_file() -> None:
    settings = Settings.from_env({"EFFEKT_DATABASE_URL": "sqlite:////srv/effekt/data.sqlite"})

    assert settings.is_sqlite
    assert settings.sqlite_path == Path("/srv/effekt/data.sqlite")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://effekt:hemligt@db.example.se:5432/effekt",
        "postgres://effekt@localhost/effekt",
        "postgresql:///effekt?host=/var/run/postgresql",
    ],
)
def test_a_postgresql_database_url_is_accepted(url: str) -> None:
    settings = Settings.from_env({"EFFEKT_DATABASE_URL": url})

    assert settings.database_url == url
    assert not settings.is_sqlite


def test_surrounding_spaces_in_the_database_url_are_ignored() -> None:
    url = "postgresql://effekt@db/effekt"

    assert Settings.from_env({"EFFEKT_DATABASE_URL": f"  {url}\n"}).database_url == url


def test_a_configured_secret_key_is_used_as_given() -> None:
    assert Settings.from_env({"EFFEKT_SECRET_KEY": GOOD_KEY}).secret_key == GOOD_KEY


@pytest.mark.parametrize("size", ["3", "7", "10"])
def test_the_minimum_group_size_can_be_set_from_three_to_ten(size: str) -> None:
    assert Settings.from_env({"EFFEKT_MIN_GROUP_SIZE": size}).min_group_size == int(size)


def test_host_and_port_can_be_set() -> None:
    settings = Settings.from_env({"EFFEKT_HOST": "0.0.0.0", "EFFEKT_PORT": "8080"})

    assert (settings.host, settings.port) == ("0.0.0.0", 8080)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "ja", "on", " Ja "])
def test_https_can_be_switched_on(value: str) -> None:
    assert Settings.from_env({"EFFEKT_HTTPS": value}).https is True


@pytest.mark.parametrize("value", ["0", "false", "no", "nej", "off", "Nej"])
def test_https_can_be_switched_off(value: str) -> None:
    assert Settings.from_env({"EFFEKT_HTTPS": value}).https is False


@pytest.mark.parametrize(("value", "locale"), [("en", "en"), ("EN", "en"), ("sv", "sv")])
def test_the_default_language_can_be_swedish_or_english(value: str, locale: str) -> None:
    assert Settings.from_env({"EFFEKT_DEFAULT_LANGUAGE": value}).default_locale == locale


# --- invalid values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "mysql://effekt@db/effekt",
        "effekt.sqlite",
        "https://db.example.se/effekt",
        "sqlite:///",
        "sqlite://effekt.db",
    ],
)
def test_an_unusable_database_url_is_rejected_naming_the_variable(url: str) -> None:
    error = rejected({"EFFEKT_DATABASE_URL": url})

    assert "EFFEKT_DATABASE_URL" in str(error)


def test_a_database_url_with_an_unknown_scheme_says_which_schemes_work() -> None:
    error = rejected({"EFFEKT_DATABASE_URL": "mysql://effekt@db/effekt"})

    assert str(error) == "EFFEKT_DATABASE_URL måste börja med sqlite:/// eller postgresql://."


def test_a_postgresql_url_without_a_server_is_rejected() -> None:
    error = rejected({"EFFEKT_DATABASE_URL": "postgresql:///effekt"})

    assert "EFFEKT_DATABASE_URL" in str(error)
    assert "server" in str(error)


@pytest.mark.parametrize("key", ["kort", "k" * 31, "  " + "k" * 31 + "  "])
def test_a_secret_key_shorter_than_32_characters_is_rejected(key: str) -> None:
    error = rejected({"EFFEKT_SECRET_KEY": key})

    assert str(error) == "EFFEKT_SECRET_KEY måste vara minst 32 tecken lång."


@pytest.mark.parametrize("size", ["2", "11", "0", "-5"])
def test_a_minimum_group_size_outside_three_to_ten_is_rejected(size: str) -> None:
    error = rejected({"EFFEKT_MIN_GROUP_SIZE": size})

    assert str(error) == f"EFFEKT_MIN_GROUP_SIZE måste vara mellan 3 och 10, inte {size}."


@pytest.mark.parametrize("size", ["fem", "5.0", "5 personer"])
def test_a_minimum_group_size_that_is_not_a_whole_number_is_rejected(size: str) -> None:
    error = rejected({"EFFEKT_MIN_GROUP_SIZE": size})

    assert str(error) == f"EFFEKT_MIN_GROUP_SIZE måste vara ett heltal mellan 3 och 10, inte '{size}'."


@pytest.mark.parametrize("port", ["0", "65536", "http", "80a"])
def test_an_unusable_port_is_rejected_naming_the_variable(port: str) -> None:
    error = rejected({"EFFEKT_PORT": port})

    assert str(error).startswith("EFFEKT_PORT måste vara")
    assert "1 och 65535" in str(error)


def test_an_unclear_https_value_is_rejected_naming_the_variable() -> None:
    error = rejected({"EFFEKT_HTTPS": "kanske"})

    assert str(error) == "EFFEKT_HTTPS måste vara true eller false, inte 'kanske'."


@pytest.mark.parametrize("language", ["de", "svenska", "en-GB"])
def test_a_default_language_other_than_sv_or_en_is_rejected_naming_the_variable(language: str) -> None:
    error = rejected({"EFFEKT_DEFAULT_LANGUAGE": language})

    assert str(error).startswith("EFFEKT_DEFAULT_LANGUAGE måste vara ett av sv, en")


# --- the error itself -----------------------------------------------------------------------------------


def test_a_settings_error_keeps_the_untranslated_message_and_its_fields() -> None:
    error = rejected({"EFFEKT_MIN_GROUP_SIZE": "2"})

    assert error.message == "%(name)s måste vara mellan %(low)s och %(high)s, inte %(raw)s."
    assert error.fields == {"name": "EFFEKT_MIN_GROUP_SIZE", "low": 3, "high": 10, "raw": 2}
    assert str(error) == error.message % error.fields


def test_a_settings_error_without_fields_is_its_own_message() -> None:
    error = rejected({"EFFEKT_SECRET_KEY": "kort"})

    assert error.fields == {}
    assert str(error) == error.message


def test_a_settings_error_is_a_value_error_with_a_single_line_message() -> None:
    error = rejected({"EFFEKT_PORT": "noll"})

    assert isinstance(error, ValueError)
    assert "\n" not in str(error)


def test_a_secret_key_is_never_shown_in_the_error() -> None:
    key = "hemlig-nyckel-som-ar-for-kort"

    assert key not in str(rejected({"EFFEKT_SECRET_KEY": key}))


# --- secrets from files, and the documented table ---------------------------------------------------------


def test_a_secret_can_come_from_a_file_named_by_the_variable_with_file_appended(tmp_path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("s" * 40 + "\n", encoding="utf-8")

    settings = Settings.from_env({"EFFEKT_SECRET_KEY_FILE": str(secret)})

    assert settings.secret_key == "s" * 40


def test_the_database_url_can_come_from_a_file_too(tmp_path) -> None:
    url = tmp_path / "database_url"
    url.write_text("postgresql://effekt:hemligt@db/effekt", encoding="utf-8")

    assert Settings.from_env({"EFFEKT_DATABASE_URL_FILE": str(url)}).database_url.endswith("@db/effekt")


def test_a_variable_and_its_file_together_are_refused_by_name(tmp_path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("s" * 40, encoding="utf-8")

    error = rejected({"EFFEKT_SECRET_KEY": GOOD_KEY, "EFFEKT_SECRET_KEY_FILE": str(secret)})

    assert "EFFEKT_SECRET_KEY_FILE" in str(error)


def test_an_unreadable_secret_file_is_named(tmp_path) -> None:
    error = rejected({"EFFEKT_SECRET_KEY_FILE": str(tmp_path / "saknas")})

    assert "EFFEKT_SECRET_KEY_FILE" in str(error)
    assert "saknas" in str(error)


def test_a_value_read_from_a_file_is_checked_like_any_other(tmp_path) -> None:
    short = tmp_path / "secret_key"
    short.write_text("kort", encoding="utf-8")

    assert "EFFEKT_SECRET_KEY" in str(rejected({"EFFEKT_SECRET_KEY_FILE": str(short)}))


def test_workers_and_retention_have_safe_defaults_and_limits() -> None:
    settings = Settings.from_env({})
    assert settings.workers == 1
    assert settings.retention_days == 365

    assert "EFFEKT_RETENTION_DAYS" in str(rejected({"EFFEKT_RETENTION_DAYS": "7"}))
    assert "EFFEKT_WORKERS" in str(rejected({"EFFEKT_WORKERS": "0"}))


def _documented_variables() -> dict[str, str]:
    """The README's configuration table: variable name → its default column."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`EFFEKT_"):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def test_the_readme_documents_exactly_the_variables_the_settings_read() -> None:
    from server.settings import environment_variables

    assert sorted(_documented_variables()) == sorted(environment_variables())


def test_the_readme_gives_each_variables_real_default() -> None:
    from dataclasses import fields

    documented = _documented_variables()
    for field in fields(Settings):
        name = field.metadata.get("env")
        if name is None or name == "EFFEKT_SECRET_KEY":  # its default is a fresh random key
            continue
        default = str(field.default).lower() if isinstance(field.default, bool) else str(field.default)
        assert documented[name] == (f"`{default}`" if default else "tom (ingen)"), name


def test_trusted_proxies_are_addresses_or_networks_and_none_by_default() -> None:
    assert Settings.from_env({}).trusted_proxies == ""
    assert Settings.from_env({"EFFEKT_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.5 "}).trusted_proxies == (
        "10.0.0.0/8,192.168.1.5"
    )
    assert "EFFEKT_TRUSTED_PROXIES" in str(rejected({"EFFEKT_TRUSTED_PROXIES": "lastbalanseraren"}))
