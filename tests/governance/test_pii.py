"""The personal-data guard: the labelled corpus, and refusals that repeat nothing, anywhere."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from commands.core import Core, CoreSettings
from commands.governance.pii import KINDS, find_pii, nhs_valid
from commands.governance.policy import Governance
from commands.registry import COMMANDS
from storage.models import AuditEntry
from tests.conftest import Console
from tests.support import blocks, snapshot

CORPUS = Path(__file__).parent.parent / "data" / "pii_corpus.jsonl"
OWN = ("westsussex.gov.uk",)


def _corpus() -> list[dict[str, str | None]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def test_the_corpus_is_big_and_covers_every_kind() -> None:
    rows = _corpus()
    assert len(rows) >= 600
    assert len({str(r["text"]) for r in rows}) == len(rows)
    kinds = {r["kind"] for r in rows}
    assert kinds == {*KINDS, None}
    assert sum(r["kind"] is None for r in rows) >= 300


def test_recall_is_at_least_99_percent_and_false_positives_at_most_1_percent() -> None:
    rows = _corpus()
    positives = [r for r in rows if r["kind"]]
    negatives = [r for r in rows if not r["kind"]]
    found = [find_pii(str(r["text"]), OWN) for r in positives]
    recall = sum(k is not None for k in found) / len(positives)
    right_kind = sum(k == r["kind"] for k, r in zip(found, positives, strict=True))
    false = sum(find_pii(str(r["text"]), OWN) is not None for r in negatives) / len(negatives)
    assert recall >= 0.99
    assert right_kind / len(positives) >= 0.99
    assert false <= 0.01


def test_nhs_check_digit() -> None:
    assert nhs_valid("9434765919")
    assert not nhs_valid("9434765918")
    assert not nhs_valid("1111111111")
    assert find_pii("NHS 943 476 5919") == "nhs_number"
    assert find_pii("ref 943 476 5918") is None
    assert find_pii("4444444444") is None


@pytest.mark.parametrize(
    "text",
    [
        "Age UK West Sussex on 4/2/2027 at 10:00",
        "M3 2nd item, A17 3rd reminder, M4 2pm",
        "case BH-5521 at 10:00 for 1h30 every 4 weeks",
        "Section 42 enquiry opened 3/2/2026",
        "MS Teams link in the invite",
        "ticket INC0012345, crime ref 4712345678/26",
        "mash@westsussex.gov.uk inbox",
    ],
)
def test_ordinary_meeting_words_pass(text: str) -> None:
    assert find_pii(text, OWN) is None


def test_only_the_workspace_domains_are_its_own() -> None:
    assert find_pii("write to duty@westsussex.gov.uk", OWN) is None
    assert find_pii("write to duty@team.westsussex.gov.uk", OWN) is None
    assert find_pii("write to jo@westsussex.gov.uk.evil.com", OWN) == "email"
    assert find_pii("write to duty@westsussex.gov.uk") == "email"


def test_every_help_example_passes_the_guard() -> None:
    for spec in COMMANDS.values():
        assert find_pii(spec.example) is None, spec.name


SECRET_NAME = "Mrs Joan Smith"


def test_a_refusal_is_private_names_the_kind_and_leaves_no_trace(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    console("/mdt new Strategy case AB-1234 today at 10:00 type strategy with @tom")
    console("/mdt start M1")
    before = snapshot(console.store)
    caplog.set_level(logging.DEBUG)
    lines = [
        f"/mdt new Strategy for {SECRET_NAME} on 4/2/2027 at 10:00",
        f"/mdt agenda M1 {SECRET_NAME} views",
        f"decision: {SECRET_NAME} to move",
        f"/mdt decision M1 Agreed because {SECRET_NAME} asked",
    ]
    for line in lines:
        printed = console(line)
        found = blocks(printed)
        assert len(found) == 1, printed
        assert found[0].startswith("[only @priya] "), printed
        assert "a person's name" in found[0]
        assert "case AB-1234" in found[0]
        assert "Smith" not in printed
    assert snapshot(console.store) == before
    assert "Smith" not in caplog.text
    with console.store.transaction(console.session.now) as session:
        trail = session.scalars(select(AuditEntry)).all()
        assert all("Smith" not in json.dumps([a.before, a.after]) for a in trail)


def test_case_types_need_a_case_reference_of_the_workspace_pattern(console: Console) -> None:
    printed = console("/mdt new Strategy on 3/2/2027 at 10:00 type self-neglect")
    assert "needs their case reference" in printed
    assert "M1" not in printed
    printed = console("/mdt new Strategy case AB-1234 on 3/2/2027 at 10:00 type self-neglect")
    assert "M1" in printed
    console.core = Core(console.store, CoreSettings(governance=Governance(case_pattern=r"C\d{6}")))
    console.session.core = console.core
    printed = console("/mdt new Strategy case AB-1234 on 3/2/2027 at 10:00 type strategy")
    assert "not a case reference" in printed
    printed = console("/mdt new Strategy case c123456 on 3/2/2027 at 10:00 type strategy")
    assert "M2" in printed


def test_governance_settings_come_from_the_environment() -> None:
    from bot.config import Settings, SettingsError  # noqa: PLC0415 - the bot layer, here only

    settings = Settings.from_env(
        {"MDT_CASE_PATTERN": r"C\d{6}", "MDT_EMAIL_DOMAINS": "@WestSussex.gov.uk, nhs.net"}
    )
    assert settings.governance.case_pattern == r"C\d{6}"
    assert settings.governance.own_domains == ("westsussex.gov.uk", "nhs.net")
    with pytest.raises(SettingsError, match="MDT_CASE_PATTERN"):
        Settings.from_env({"MDT_CASE_PATTERN": "[A-Z"})
    with pytest.raises(SettingsError, match="MDT_RETENTION_CASE_YEARS"):
        Settings.from_env({"MDT_RETENTION_CASE_YEARS": "soon"})


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("lives at BN1 1AA now", "postcode"),
        ("moved to SW1A 2AA", "postcode"),
        ("post to GIR 0AA", "postcode"),
        ("NI AB 12 34 56 C on file", "ni_number"),
        ("NI ab123456c on file", "ni_number"),
        ("NI GB123456A on file", None),
        ("she was born in 1948", "date_of_birth"),
        ("DOB March 3, 1948", "date_of_birth"),
        ("meeting on March 3, 2027", None),
        ("call +44 (0)1273 123456", "phone"),
        ("call (01273) 123456", "phone"),
        ("NHS \u0669\u0664\u0663 \u0664\u0667\u0666 \u0665\u0669\u0661\u0669", "nhs_number"),
        # Two kinds: the one found first in the text is named.
        ("Mrs Smith, NHS 943 476 5919", "title_name"),
    ],
)
def test_each_shape_is_found_by_the_one_scan(text: str, kind: str | None) -> None:
    assert find_pii(text, OWN) == kind
