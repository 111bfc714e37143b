"""Help per command and per topic, sectors, deputies, and the words of replies and invitations."""

from __future__ import annotations

import pytest

from commands.documents.filters import possessive_end
from commands.language.sectors import SECTORS, infer_sector
from tests.conftest import Console
from tests.support import blocks

DATES = "Dates: 1/12/2026 (day first)"


@pytest.mark.parametrize("word", ["show", "iam", "attend", "start", "end", "done", "help"])
def test_help_without_dates_where_none_are_taken(console: Console, word: str) -> None:
    printed = console(f"/mdt help {word}")
    assert printed.startswith("[only @priya] /mdt ")
    assert DATES not in printed


@pytest.mark.parametrize("word", ["new", "move", "action", "extend"])
def test_help_with_dates_where_they_are_taken(console: Console, word: str) -> None:
    assert DATES in console(f"/mdt help {word}")


@pytest.mark.parametrize("topic", ["types", "type", "sectors", "TYPES"])
def test_help_types_lists_types_and_sectors(console: Console, topic: str) -> None:
    printed = console(f"/mdt help {topic}")
    assert "Did you mean" not in printed
    assert "strategy: safeguarding strategy discussion; " in printed
    assert "quorate with Adult Social Care, Police, Health" in printed
    assert "needs `case <ref>`" in printed
    assert "Sectors (every agency is in one" in printed
    assert ", ".join(SECTORS) in printed


def test_help_dates_and_the_list_points_to_topics(console: Console) -> None:
    assert DATES in console("/mdt help dates")
    assert "`/mdt help types` for meeting types and sectors" in console("/mdt help")


@pytest.mark.parametrize(
    "agency",
    [
        "Sunrise Domiciliary Care",
        "Brighton Home Care Ltd",
        "Oakwood Care Home",
        "Seaview Nursing Home",
        "Caring Hands Care Agency",
        "Homecare Sussex",
    ],
)
def test_care_providers_have_a_sector(agency: str) -> None:
    assert infer_sector(agency) == "Care Provider"


def test_care_provider_sector_on_the_console(console: Console) -> None:
    printed = console("/mdt iam Sunrise Domiciliary Care as care coordinator")
    assert "(sector: Care Provider)" in printed
    printed = console("/mdt iam Bright Futures sector care provider")
    assert "(sector: Care Provider)" in printed


def test_a_deputy_with_no_agency_shows_as_whom_they_stand_for(console: Console) -> None:
    console(":as ps_wood", "/mdt iam Sussex Police as PC", ":as priya")
    console(
        "/mdt iam West Sussex Adult Social Care", ":as nurse", "/mdt iam NHS Sussex", ":as priya"
    )
    console("/mdt new Strategy case AB-1234 today at 10:00 type strategy with @ps_wood @nurse")
    console(":as nurse", "/mdt attend M1", ":as ps_wood", "/mdt apologies M1 leave deputy @kit")
    printed = console(":as kit", "/mdt attend M1", ":as priya", "/mdt start M1")
    assert "Police (@kit)" in printed
    assert "Agency not given" not in printed
    assert "Not quorate" not in printed


def test_possessives() -> None:
    assert possessive_end("Advocacy Matters") == "'"
    assert possessive_end("Saxon Housing") == "'s"


def test_only_recorder_names_the_caller_not_you(console: Console) -> None:
    console("/mdt new Strategy today at 10:00 with @sam", "/mdt start M1")
    printed = console(":as sam", "/mdt decision M1 refer")
    assert "`/mdt invite M1 @sam as minute-taker`" in printed
    assert "@you" not in printed


def test_minute_taker_invitation_wording(console: Console) -> None:
    console("/mdt new Strategy on 3/2/2027 at 10:00")
    printed = console("/mdt invite M1 @max as minute-taker")
    dm = next(b for b in blocks(printed) if b.startswith("[DM @max]"))
    assert "chaired by @priya. You are the minute-taker:" in dm
    assert "@priya as minute-taker" not in dm
