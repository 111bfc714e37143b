"""Inbound authentication: every refused request gets its status and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest

from tests.support import snapshot
from tests.teams.conftest import Teams
from tests.teams.fake_teams import PRIYA, SERVICE_URL, new_key, public_jwk

NOW = 1801472400  # 2027-02-01 09:00 UTC, the injected clock
NEW_MEETING = "mdt new Strategy discussion case AB-1234 on 4/2/2027 at 10:00"


def _refused(teams: Teams, status: int, body: bytes | dict[str, Any], token: str | None) -> None:
    before = snapshot(teams.store)
    answer = teams.post(body, token=token)
    assert answer == (status, None)
    assert snapshot(teams.store) == before
    assert teams.fake.sent == []
    assert teams.fake.token_requests == 0, "no outbound call was made"


def test_no_token_is_401(teams: Teams) -> None:
    _refused(teams, 401, teams.activity(PRIYA, NEW_MEETING), token=None)


def test_a_basic_auth_header_is_401(teams: Teams) -> None:
    before = snapshot(teams.store)
    body = json.dumps(teams.activity(PRIYA, NEW_MEETING)).encode()
    assert teams.bot.handle({"Authorization": "Basic cHJpeWE6cHc="}, body) == (401, None)
    assert snapshot(teams.store) == before


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"iss": "https://sts.windows.net/evil/"}, id="wrong-issuer"),
        pytest.param({"aud": "6f0c2a7e-3b7d-4c1e-9a55-0d7f3b2c9e12"}, id="wrong-audience"),
        pytest.param({"aud": None}, id="no-audience"),
        pytest.param({"exp": NOW - 3600}, id="expired-an-hour-ago"),
        pytest.param({"exp": NOW - 301}, id="expired-beyond-the-skew"),
        pytest.param({"nbf": NOW + 301}, id="not-yet-valid"),
        pytest.param({"exp": None}, id="no-expiry"),
    ],
)
def test_bad_claims_are_401(teams: Teams, claims: dict[str, Any]) -> None:
    assert teams.clock().timestamp() == NOW
    _refused(teams, 401, teams.activity(PRIYA, NEW_MEETING), teams.fake.token(claims=claims))


def test_expiry_within_the_five_minute_skew_is_accepted(teams: Teams) -> None:
    token = teams.fake.token(claims={"exp": NOW - 240, "nbf": NOW + 240})
    assert teams.post(teams.activity(PRIYA, "mdt help"), token=token) == (200, None)
    assert len(teams.fake.sent) == 1


def test_a_key_the_metadata_does_not_list_is_401(teams: Teams) -> None:
    _refused(
        teams,
        401,
        teams.activity(PRIYA, NEW_MEETING),
        teams.fake.token(key=new_key(), kid="attacker-key"),
    )


def test_a_known_key_id_with_another_signature_is_401(teams: Teams) -> None:
    _refused(teams, 401, teams.activity(PRIYA, NEW_MEETING), teams.fake.token(key=new_key()))


def test_an_unsigned_or_hmac_token_is_401(teams: Teams) -> None:
    claims = {"iss": "https://api.botframework.com", "aud": teams.bot.auth.app_id}
    unsigned = jwt.encode({**claims, "exp": 1801821600}, None, algorithm="none")
    hmac = jwt.encode(
        {**claims, "exp": 1801821600, "serviceurl": SERVICE_URL},
        "a-shared-secret-of-enough-length-for-hs256",
        algorithm="HS256",
        headers={"kid": "key-1"},
    )
    _refused(teams, 401, teams.activity(PRIYA, NEW_MEETING), unsigned)
    _refused(teams, 401, teams.activity(PRIYA, NEW_MEETING), hmac)


def test_serviceurl_claim_not_the_activitys_is_403(teams: Teams) -> None:
    token = teams.fake.token(claims={"serviceurl": "https://evil.test/teams"})
    _refused(teams, 403, teams.activity(PRIYA, NEW_MEETING), token)


def test_missing_serviceurl_claim_is_403(teams: Teams) -> None:
    token = teams.fake.token(claims={"serviceurl": None})
    _refused(teams, 403, teams.activity(PRIYA, NEW_MEETING), token)


def test_a_key_not_endorsed_for_teams_is_403(teams: Teams) -> None:
    teams.fake.endorsements = ["skype"]
    _refused(teams, 403, teams.activity(PRIYA, NEW_MEETING), teams.fake.token())


def test_another_tenant_is_403(teams: Teams) -> None:
    activity = teams.activity(PRIYA, NEW_MEETING)
    activity["channelData"]["tenant"]["id"] = "00000000-0000-4000-8000-00000000dead"
    _refused(teams, 403, activity, teams.fake.token())


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"[]", id="a-list"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(json.dumps({"type": "message", "text": "mdt help"}).encode(), id="no-ids"),
    ],
)
def test_malformed_activity_is_400(teams: Teams, body: bytes) -> None:
    _refused(teams, 400, body, teams.fake.token())


def test_activity_fields_of_the_wrong_type_are_400(teams: Teams) -> None:
    activity = teams.activity(PRIYA, NEW_MEETING)
    activity["conversation"] = "19:abc"
    _refused(teams, 400, activity, teams.fake.token())
    activity = teams.activity(PRIYA, NEW_MEETING)
    activity["text"] = {"$ne": 1}
    _refused(teams, 400, activity, teams.fake.token())


def test_signing_keys_are_cached_and_refreshed_for_a_new_key_id(teams: Teams) -> None:
    assert teams.post(teams.activity(PRIYA, "mdt help")) == (200, None)
    assert teams.post(teams.activity(PRIYA, "mdt help")) == (200, None)
    assert teams.fake.jwks_requests == 1, "keys are cached"

    rotated = new_key()
    teams.fake.extra_keys.append(public_jwk(rotated, "key-2", ["msteams"]))
    token = teams.fake.token(key=rotated, kid="key-2")
    assert teams.post(teams.activity(PRIYA, "mdt help"), token=token) == (401, None)
    assert teams.fake.jwks_requests == 1, "an unknown key id right after a fetch is refused"

    teams.clock.advance(minutes=2)
    token = teams.fake.token(key=rotated, kid="key-2")
    assert teams.post(teams.activity(PRIYA, "mdt help"), token=token) == (200, None)
    assert teams.fake.jwks_requests == 2, "a new key id makes the keys be fetched again"


def test_a_redelivered_activity_is_handled_once(teams: Teams) -> None:
    activity = teams.activity(PRIYA, "mdt help")
    assert teams.post(activity) == (200, None)
    before = snapshot(teams.store)
    assert teams.post(activity) == (200, None)
    assert len(teams.fake.sent) == 1
    assert snapshot(teams.store) == before
