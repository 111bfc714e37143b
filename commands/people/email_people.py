"""Email-only people: partners outside the workspace, named by their address in any command."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Person, Workspace

ADDRESS = re.compile(
    r"^<?(?:mailto:)?(?P<address>[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,})>?$"
)
EXTERNAL_PREFIX = "email:"
MAX_EXTERNAL = 64
# The word after which an address names a person, per command (`reassign A1 to sam@x`).
PERSON_WORDS = {"reassign": "to", "new": "with", "apologies": "deputy"}
# `name "DS Sam Patel"` after an invitee's address: the display name of an email-only person.
NAME_CLAUSE = re.compile(
    r"(?:^|\s)name\s+[\"\u201c]([^\"\u201c\u201d]{1,200})[\"\u201d]", re.IGNORECASE
)


def split_name_clause(text: str) -> tuple[str, str | None]:
    """The text without its `name "..."` clause, and the name given, if any."""
    match = NAME_CLAUSE.search(text)
    if match is None:
        return text, None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return " ".join(rest.split()), " ".join(match.group(1).split()) or None


def address_of(token: str) -> str | None:
    """The address a token is (`sam@police.example`, `@sam@x`, `<mailto:sam@x>`), if any."""
    match = ADDRESS.match(token.strip().rstrip(".,;:").removeprefix("@"))
    return match.group("address").lower() if match else None


def external_id_for(address: str) -> str:
    """The stable platform id of an email-only person: `email:` and the address (or its hash)."""
    candidate = EXTERNAL_PREFIX + address
    if len(candidate) <= MAX_EXTERNAL:
        return candidate
    digest = hashlib.sha256(address.encode()).hexdigest()
    return EXTERNAL_PREFIX + digest[: MAX_EXTERNAL - len(EXTERNAL_PREFIX)]


def email_person(session: Session, workspace: Workspace, address: str) -> Person:
    """The email-only person with this address in the workspace, created on first use.

    A workspace member whose address is known is that member, not a second person.
    """
    member = session.scalar(
        select(Person).where(
            Person.workspace_id == workspace.id,
            Person.email == address,
            Person.email_only.is_(False),
        )
    )
    if member is not None:
        return member
    external_id = external_id_for(address)
    person = session.scalar(
        select(Person).where(Person.workspace_id == workspace.id, Person.external_id == external_id)
    )
    if person is None:
        person = Person(
            workspace_id=workspace.id,
            external_id=external_id,
            display_name=address,
            email=address,
            email_only=True,
        )
        session.add(person)
        session.flush()
    return person


def without_named_addresses(command: str, args: str) -> str:
    """The command's text with the addresses that name people taken out, for the data guard.

    An address naming a person is no content: every address of `invite`, the owner of an
    `action`, the person of `actions`, and those after `deputy` (apologies), `to`
    (reassign) or `with` (new), and those brought into a disagreement (`escalate E1 add`;
    never in a reason). Any other address stays, and the guard sees it.
    """
    words = args.split()
    if command == "invite":
        words = split_name_clause(args)[0].split()
    if command in {"invite", "actions"}:
        return " ".join(w for w in words if address_of(w) is None)
    keep: list[str] = []
    listing = False
    for index, word in enumerate(words):
        named = address_of(word) is not None
        owner_slot = command == "action" and (
            index == 0 or (index == 1 and re.fullmatch(r"[Mm]\d+", words[0]) is not None)
        )
        if named and (owner_slot or listing):
            continue
        starts = word.lower() == PERSON_WORDS.get(command) or _brings_in(command, words, index)
        listing = starts or (listing and word.startswith("@"))
        keep.append(word)
    return " ".join(keep)


def _brings_in(command: str, words: list[str], index: int) -> bool:
    """`add` in `escalate E1 add ...`: the people brought in follow, not a reason."""
    return (
        command == "escalate"
        and index == 1
        and words[1].lower() == "add"
        and re.fullmatch(r"[Ee]\d+", words[0]) is not None
    )
