"""Email-only people: named by address wherever a command names a person, kept in the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.console import parse_moment
from commands.core import CoreSettings
from storage.db import Store
from storage.models import Action, Invitation, OutboxMessage, Person
from tests.conftest import Console

SAM = "sam.patel@police.example"
SETUP = (
    "/mdt iam Brighton Adult Social Care as social worker",
    "/mdt new Discharge planning today at 10:00 type discharge case BH-5521 with @tom",
)


def _people(store: Store) -> dict[str, Person]:
    with store.transaction(parse_moment("2027-02-01T09:00:00+00:00")) as session:  # type: ignore[arg-type]
        return {p.external_id: p for p in session.scalars(select(Person))}


def test_an_address_names_an_email_only_person_everywhere(console: Console) -> None:
    console(*SETUP)
    printed = console(
        f'/mdt invite M1 {SAM} name "DS Sam Patel" from Sussex Police as detective sergeant',
        "/mdt start M1",
        f"/mdt action M1 {SAM} send the custody record by 10/2/2027 measure record shared",
        f"/mdt actions {SAM}",
        ":as tom",
        f"/mdt apologies M1 on leave deputy {SAM.upper()}",
    )
    assert "Invited to M1: @DS Sam Patel as detective sergeant." in printed
    assert "Action A1 for DS Sam Patel" in printed
    assert "A1 DS Sam Patel: send the custody record" in printed
    people = _people(console.store)
    sam = people[f"email:{SAM}"]
    assert (sam.email, sam.email_only, sam.display_name, sam.role) == (
        SAM,
        True,
        "DS Sam Patel",
        "detective sergeant",
    )
    assert sam.agency is not None
    assert (sam.agency.name, sam.agency.sector) == ("Sussex Police", "Police")
    assert len(people) == 3  # the upper-case address is the same person
    with console.store.transaction(parse_moment("2027-02-01T09:00:00+00:00")) as session:  # type: ignore[arg-type]
        action = session.scalar(select(Action))
        assert action is not None
        assert action.owner_id == sam.id
        deputy = session.scalar(select(Invitation).where(Invitation.person_id == sam.id))
        assert deputy is not None
        assert deputy.deputy_for_id == people["tom"].id
        platforms = session.execute(select(OutboxMessage.platform, OutboxMessage.person_id)).all()
        # The invitation, the new action, and the deputy's request: each by email, to Sam.
        assert platforms == [("email", sam.id)] * 3


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        pytest.param(
            f'/mdt invite M1 {SAM} @tom name "Sam"',
            '`name "..."` gives the name of one person invited by email.',
            id="name-for-two",
        ),
        pytest.param(
            "/mdt action M1 @tom ring jo.bloggs@gmail.com about the flat by 10/2/2027",
            "personal",
            id="address-in-free-text-is-still-guarded",
        ),
    ],
)
def test_mistakes_save_nothing(console: Console, line: str, reply: str) -> None:
    console(*SETUP, "/mdt start M1")
    before = _people(console.store)
    printed = console(line)
    assert reply in printed
    assert _people(console.store).keys() == before.keys()


def test_without_email_an_address_is_refused_and_nothing_saved(
    store: Store, tmp_path: Path
) -> None:
    now = parse_moment("2027-02-01T09:00:00+00:00")
    assert now is not None
    console = Console(store, now, "priya", "team", tmp_path)
    console.core.settings = CoreSettings(email=False)
    console(*SETUP)
    printed = console(f"/mdt invite M1 {SAM} from Sussex Police")
    assert "email is not set up here" in printed
    with store.transaction(now) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2
        assert session.scalar(select(func.count()).select_from(Invitation)) == 2


@pytest.mark.parametrize(
    ("command", "args", "guarded"),
    [
        pytest.param("action", f"M1 {SAM} send it by friday", "M1 send it by friday", id="owner"),
        pytest.param("reassign", f"A1 to {SAM}", "A1 to", id="reassign"),
        pytest.param("done", f"A1 sent to {SAM}", f"A1 sent to {SAM}", id="done-note-kept"),
        pytest.param(
            "action", f"M1 @tom ring {SAM} by friday", f"M1 @tom ring {SAM} by friday", id="text"
        ),
    ],
)
def test_only_addresses_naming_people_escape_the_guard(
    command: str, args: str, guarded: str
) -> None:
    from commands.people.email_people import without_named_addresses  # noqa: PLC0415

    assert without_named_addresses(command, args) == guarded


def test_reminders_and_chasers_reach_an_email_owner_on_the_console(console: Console) -> None:
    from bot.config import Settings  # noqa: PLC0415
    from bot.email.console import console_mail  # noqa: PLC0415
    from bot.worker import console_sweep  # noqa: PLC0415

    console.session.mail = console_mail(console.store, Settings(), console.out.write)
    console.session.sweep = console_sweep(console.store)
    console(*SETUP, "/mdt start M1")
    printed = console(f"/mdt action M1 {SAM} send the custody record by 10/2/2027 measure shared")
    assert f"[email {SAM}] New action A1: due Wed 10 Feb 2027" in printed
    assert "http://localhost:3000/a/" in printed
    printed = console(":clock 2027-02-08T10:00:00+00:00")
    assert f"[email {SAM}] Reminder: A1 is due Wed 10 Feb 2027" in printed
    printed = console(":clock 2027-02-12T10:00:00+00:00")
    assert f"[email {SAM}] Overdue: A1, due Wed 10 Feb 2027" in printed
    assert "[DM @" not in printed.split(f"[email {SAM}]")[1]
