"""Teams settings: defaults, and a malformed one stops start-up naming it, never its secret."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError
from tests.teams.fake_teams import APP_ID

BASE = {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "s3cret-value", "TEAMS_TENANT_ID": "contoso"}


def test_defaults_point_at_microsoft() -> None:
    settings = Settings.from_env({})
    assert settings.teams_login_url == "https://login.microsoftonline.com"
    assert settings.teams_openid_url == (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    assert settings.graph_api_url == "https://graph.microsoft.com/v1.0"
    assert settings.teams_configured is False


def test_the_password_is_never_shown() -> None:
    settings = Settings.from_env(BASE)
    assert settings.teams_configured
    assert "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"TEAMS_APP_ID": "not-a-guid"}, "TEAMS_APP_ID", id="app-id"),
        pytest.param({"TEAMS_TENANT_ID": "a tenant"}, "TEAMS_TENANT_ID", id="tenant"),
        pytest.param({"TEAMS_LOGIN_URL": "login.test"}, "TEAMS_LOGIN_URL", id="login-url"),
        pytest.param({"TEAMS_OPENID_URL": "ftp://x/y"}, "TEAMS_OPENID_URL", id="openid-url"),
        pytest.param({"GRAPH_API_URL": "http://graph.test"}, "GRAPH_API_URL", id="graph-http"),
        pytest.param(
            {"TEAMS_APP_PASSWORD": "two words"}, "TEAMS_APP_PASSWORD", id="password-spaces"
        ),
        pytest.param(
            {"TEAMS_GRAPH_CALENDAR_USER": "a b@c"}, "TEAMS_GRAPH_CALENDAR_USER", id="calendar"
        ),
    ],
)
def test_a_malformed_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**BASE, **env})
    assert named in str(raised.value)
    assert "s3cret-value" not in str(raised.value)
    assert "two words" not in str(raised.value)


@pytest.mark.parametrize("missing", ["TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID"])
def test_the_app_id_needs_its_password_and_tenant(missing: str) -> None:
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(env)
