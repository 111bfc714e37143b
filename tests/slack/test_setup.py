"""Settings, the manifest command, Socket Mode, the notifier, rendering and the people cache."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml
from slack_sdk import WebClient

from bot.cli import main
from bot.config import Settings, SettingsError
from bot.notify import RateLimitedError, ServerError, UnreachableError
from bot.slack.directory import Profile, SlackDirectory, TTLCache
from bot.slack.manifest import manifest
from bot.slack.notifier import slack_notifier
from bot.slack.render import SlackRenderer
from bot.slack.socket import build_socket_handler
from commands.documents.views import PersonView
from commands.messages import Message, Recipient
from storage.db import Store
from tests.slack.conftest import PRIYA, TOM, Clock, slack_settings
from tests.slack.fake_slack import FakeSlack

ENV = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_SIGNING_SECRET": "shh"}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN", id="user-token"),
        pytest.param({"SLACK_APP_TOKEN": "xoxb-not-app"}, "SLACK_APP_TOKEN", id="app-token"),
        pytest.param({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL", id="api-url"),
        pytest.param({"PORT": "eighty"}, "PORT", id="port-word"),
        pytest.param({"PORT": "70000"}, "PORT", id="port-range"),
        pytest.param({"SLACK_SIGNING_SECRET": "a b"}, "SLACK_SIGNING_SECRET", id="spaces"),
    ],
)
def test_a_malformed_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_settings_read_and_never_show_secrets() -> None:
    settings = Settings.from_env({**ENV, "SLACK_API_URL": "http://127.0.0.1:9/api", "PORT": "8080"})
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.port == 8080
    assert "xoxb-1-abc" not in repr(settings)
    assert "shh" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET", id="no-secret"),
        pytest.param({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN", id="no-token"),
        pytest.param(
            {"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2"},
            "SLACK_CLIENT_SECRET",
            id="oauth-no-client-secret",
        ),
    ],
)
def test_serve_stops_naming_a_missing_setting(
    env: dict[str, str],
    named: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: object,
) -> None:
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["serve", "--db", f"sqlite:///{tmp_path}/mdt.db"]) == 2
    assert named in capsys.readouterr().err


def test_manifest_command_prints_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "slack", "--url", "https://mdt.example.net/"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed == manifest("https://mdt.example.net")
    assert printed["features"]["slash_commands"][0]["url"] == "https://mdt.example.net/slack/events"


def test_socket_mode_builds_with_the_app_token(store: Store, fake: FakeSlack) -> None:
    settings = slack_settings(fake, slack_app_token="xapp-1-socket")
    handler, bot = build_socket_handler(settings, store, Clock())
    try:
        assert handler.app is bot.app
        assert handler.app_token == "xapp-1-socket"
        assert handler.client.web_client.base_url == fake.api_url
        assert fake.of("apps.connections.open") == []
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        bot.close()
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        build_socket_handler(slack_settings(fake), store, Clock())


def dm(text_id: str = "x") -> Message:
    return Message(
        audience="dm",
        template="slack:home_intro",
        context={},
        zone="Europe/London",
        recipient=Recipient(TOM, text_id),
    )


def test_the_notifier_sends_and_types_its_failures(fake: FakeSlack) -> None:
    notifier = slack_notifier(slack_settings(fake))
    sent = notifier.send(dm())
    assert sent.startswith(f"D{TOM}:1800000000.")
    fake.fail_next("chat.postMessage", 429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimitedError) as limited:
        notifier.send(dm())
    assert limited.value.retry_after == 7.0
    fake.fail_next("conversations.open", 200, body={"ok": False, "error": "user_disabled"})
    with pytest.raises(UnreachableError):
        notifier.send(replace(dm(), recipient=Recipient(PRIYA, "")))  # Tom's DM is known
    fake.fail_next("chat.postMessage", 503, body={"ok": False, "error": "service_unavailable"})
    with pytest.raises(ServerError):
        notifier.send(dm())


def test_the_notifier_is_skipped_without_slack_settings() -> None:
    with pytest.raises(LookupError):
        slack_notifier(Settings())


def test_rendering_escapes_user_text_but_keeps_mentions() -> None:
    renderer = SlackRenderer()
    chair = PersonView("U1234", "<b>priya</b>", None, None, None)
    message = Message(
        audience="private",
        template="errors:only_chair",
        context={"meeting": "M1", "chair": chair, "doing": "end it <!here> & go"},
        zone="Europe/London",
    )
    text = renderer.render(message)
    assert "<@U1234>" in text
    assert "&lt;!here&gt; &amp; go" in text
    assert "<!here>" not in text


def test_people_are_cached_for_a_while(fake: FakeSlack) -> None:
    ticks = [0.0]
    cache = TTLCache(maxsize=2, ttl=60, timer=lambda: ticks[0])
    directory = SlackDirectory(WebClient(token="xoxb-T1", base_url=fake.api_url), "T1", cache)
    user = directory.resolve(f"<@{TOM}|tom>")
    assert user is not None
    assert (user.display_name, user.timezone) == ("tom", "Europe/London")
    directory.resolve(f"<@{TOM}>")
    assert len(fake.of("users.info")) == 1
    ticks[0] = 61
    directory.resolve(f"<@{TOM}>")
    assert len(fake.of("users.info")) == 2
    assert directory.resolve("@tom") is None
    for n in range(5):
        cache.put(("T1", f"U{n}"), Profile(f"u{n}", None))
    assert len(cache) == 2
