"""Single sign-on settings: read from the environment, and a one-line message naming any unusable variable."""

from __future__ import annotations

import pytest

from server.oidc.settings import OidcConfig
from server.settings import Settings, SettingsError
from surveys.accounts.users import Role

ENTRA = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
GOOD = {
    "EFFEKT_OIDC_ISSUER": ENTRA,
    "EFFEKT_OIDC_CLIENT_ID": "effekt",
    "EFFEKT_OIDC_CLIENT_SECRET": "s3cret",
    "EFFEKT_OIDC_ROLES": "effekt-admin=admin,effekt-komm=kommunikator,effekt-las=lasare",
}


def rejected(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    return str(caught.value)


def test_without_an_issuer_single_sign_on_is_off_and_local_passwords_are_on():
    settings = Settings.from_env({})

    assert OidcConfig.of(settings) is None
    assert settings.local_passwords is True


def test_the_role_mapping_gives_each_group_its_role():
    config = OidcConfig.of(Settings.from_env({**GOOD, "EFFEKT_OIDC_ROLE_CLAIM": "roles"}))

    assert config.issuer == ENTRA
    assert config.role_claim == "roles"
    assert dict(config.roles) == {
        "effekt-admin": Role.ADMIN,
        "effekt-komm": Role.COMMUNICATOR,
        "effekt-las": Role.READER,
    }


def test_the_role_claim_is_groups_and_the_scopes_the_standard_ones_unless_told_otherwise():
    config = OidcConfig.of(Settings.from_env(GOOD))

    assert config.role_claim == "groups"
    assert config.scopes == "openid profile email"
    more = Settings.from_env({**GOOD, "EFFEKT_OIDC_SCOPES": " openid  profile\temail authorization_scope "})
    assert OidcConfig.of(more).scopes == "openid profile email authorization_scope"


def test_directory_names_with_commas_are_separated_by_semicolons():
    roles = (
        "CN=effekt-admin,OU=Grupper,DC=region,DC=se=admin; CN=effekt-las,OU=Grupper,DC=region,DC=se=lasare"
    )
    config = OidcConfig.of(Settings.from_env({**GOOD, "EFFEKT_OIDC_ROLES": roles}))

    assert config.roles["CN=effekt-admin,OU=Grupper,DC=region,DC=se"] is Role.ADMIN
    assert config.roles["CN=effekt-las,OU=Grupper,DC=region,DC=se"] is Role.READER


def test_the_client_secret_is_read_from_a_file_and_never_shown(tmp_path):
    secret = tmp_path / "oidc_client_secret"
    secret.write_text("from-the-file\n", encoding="utf-8")
    env = {k: v for k, v in GOOD.items() if k != "EFFEKT_OIDC_CLIENT_SECRET"}

    settings = Settings.from_env({**env, "EFFEKT_OIDC_CLIENT_SECRET_FILE": str(secret)})

    assert settings.oidc_client_secret == "from-the-file"
    assert "from-the-file" not in repr(settings)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"EFFEKT_OIDC_CLIENT_ID": ""}, "EFFEKT_OIDC_CLIENT_ID"),
        ({"EFFEKT_OIDC_CLIENT_SECRET": ""}, "EFFEKT_OIDC_CLIENT_SECRET_FILE"),
        ({"EFFEKT_OIDC_ROLES": ""}, "EFFEKT_OIDC_ROLES"),
        ({"EFFEKT_OIDC_ROLES": "effekt-admin=superuser"}, "EFFEKT_OIDC_ROLES"),
        ({"EFFEKT_OIDC_ROLES": "effekt-admin"}, "EFFEKT_OIDC_ROLES"),
        ({"EFFEKT_OIDC_ROLES": "g=admin,g=lasare"}, "EFFEKT_OIDC_ROLES"),
        ({"EFFEKT_OIDC_ISSUER": "http://idp.region.se"}, "EFFEKT_OIDC_ISSUER"),
        ({"EFFEKT_OIDC_ISSUER": "idp.region.se"}, "EFFEKT_OIDC_ISSUER"),
        ({"EFFEKT_OIDC_ROLE_CLAIM": "grupper och roller"}, "EFFEKT_OIDC_ROLE_CLAIM"),
        ({"EFFEKT_LOCAL_PASSWORDS": "kanske"}, "EFFEKT_LOCAL_PASSWORDS"),
        ({"EFFEKT_OIDC_SCOPES": "profile email"}, "EFFEKT_OIDC_SCOPES"),
        ({"EFFEKT_OIDC_SCOPES": 'openid "groups"'}, "EFFEKT_OIDC_SCOPES"),
    ],
)
def test_an_unusable_value_stops_the_start_naming_the_variable(change, named):
    assert named in rejected({**GOOD, **change})


def test_plain_http_is_allowed_only_for_a_provider_on_this_machine():
    for issuer in ("http://127.0.0.1:9000", "http://localhost:9000/realms/test"):
        assert OidcConfig.of(Settings.from_env({**GOOD, "EFFEKT_OIDC_ISSUER": issuer})).issuer == issuer


def test_local_passwords_can_be_switched_off_only_when_someone_else_signs_people_in():
    assert Settings.from_env({**GOOD, "EFFEKT_LOCAL_PASSWORDS": "0"}).local_passwords is False
    assert "EFFEKT_OIDC_ISSUER" in rejected({"EFFEKT_LOCAL_PASSWORDS": "0"})
