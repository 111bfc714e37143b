"""The personal-data guard: finds what identifies a person in free text, without a network or model.

Kinds: NHS numbers (modulus 11 check digit), National Insurance numbers, dates of birth, UK
postcodes, UK phone numbers, email addresses outside the workspace's own domains, and a title
followed by a name. A finding names only its kind, never the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

KINDS = (
    "nhs_number",
    "ni_number",
    "date_of_birth",
    "postcode",
    "phone",
    "email",
    "title_name",
)

_NUMBERS = re.compile(
    r"(?P<nhs>(?<![\w/-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w/-]))"
    r"|(?P<phone>(?<![\w+/-])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)[1-9](?:[\s)-]{0,2}\d){8,9}(?![\w/-]))"
)
_NI = re.compile(
    r"(?<![\w-])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"(?:(?P<spaced> \d{2} \d{2} \d{2})(?: ?[A-D])?|\d{6} ?[A-D])(?![\w-])",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"(?<![\w-])(?:GIR ?0AA|[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?)"
    r" ?(?P<inward>\d[ABD-HJLNP-UW-Z]{2}))(?![\w-])",
    re.IGNORECASE,
)
_NOT_INWARD = re.compile(r"\d(?:st|nd|rd|th|am|pm)")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    r"(?<![\w/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {_MONTH},? \d{{4}}"
    rf"|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}})"
    r"(?![\w/-])",
    re.IGNORECASE,
)
_BIRTH = re.compile(
    r"\b(?:born|n[ée]e|dob|d\.o\.b\b\.?|date of birth|birth ?date|birthday"
    r"|aged? ?:? ?\d{1,3}\b|\d{1,3}[ -]?(?:years?|yrs?)[ -]?old|\d{1,3} ?y/?o\b)",
    re.IGNORECASE,
)
_BORN_YEAR = re.compile(r"\bborn (?:in )?(?:19|20)\d{2}\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+'-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_TITLE = re.compile(
    r"(?<![\w-])(?:Mr|MR|Mrs|MRS|Ms|Miss|MISS|Mx|Dr|Mstr)\.?[ \t]+"
    r"(?:[A-Z]\.?[ \t]*){0,3}(?P<name>[A-Z](?:[a-z]+(?:['\u2019]?[A-Z][a-z]+)?"
    r"|['\u2019][A-Z][a-z]+)(?:-[A-Z][a-z]+)?|[A-Z]{2,})\b"
)
_NOT_NAMES = frozenset(
    {"Teams", "Word", "Excel", "Forms", "Outlook", "Office", "Society", "Team", "Who", "And"}
)
_WINDOW = 40
# One cheap pass first: every kind needs one of these (six close digits for NHS, phone and NI
# numbers; a birth word or an age for a date of birth; an inward code for a postcode; an @; a
# title), so a text with none of them is clean without running the precise checks.
_CANDIDATE = re.compile(
    r"\d(?:[\s()+-]{0,3}\d){5}|@|(?<![\w-])(?:Mr|MR|Ms|Mi|MI|Mx|Dr)"
    r"|(?i:born|n[ée]e|dob|d\.o\.b|birth|aged?[ :]{0,3}\d|\d[ -]?y|\d[ABD-HJLNP-UW-Z]{2}(?![\w-]))"
)


def nhs_valid(digits: str) -> bool:
    """A ten-digit NHS number whose modulus 11 check digit holds (all-same digits never do)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _number_kind(text: str) -> str | None:
    for match in _NUMBERS.finditer(text):
        if match.group("nhs"):
            digits = re.sub(r"\D", "", match.group("nhs"))
            if nhs_valid(digits):
                return "nhs_number"
            if digits.startswith("0"):
                return "phone"  # a ten-digit number led by 0 that is no NHS number
            continue
        digits = re.sub(r"\D", "", match.group("phone"))
        national = digits[2:] if match.group("phone").startswith("+") else digits
        if len(national.removeprefix("0")) in (9, 10):
            return "phone"
    return None


def _birth_date(text: str) -> bool:
    if _BORN_YEAR.search(text):
        return True
    if not _BIRTH.search(text):
        return False
    for date in _DATE.finditer(text):
        window = text[max(0, date.start() - _WINDOW) : date.end() + _WINDOW]
        if _BIRTH.search(window):
            return True
    return False


def _postcode(text: str) -> bool:
    for match in _POSTCODE.finditer(text):
        inward = match.group("inward")
        if not (inward.islower() and _NOT_INWARD.fullmatch(inward)):
            return True
    return False


def _outside(domain: str, own: Iterable[str]) -> bool:
    domain = domain.lower()
    return not any(domain == d or domain.endswith("." + d) for d in own)


def find_pii(text: str, own_domains: Iterable[str] = ()) -> str | None:
    """The kind of the first piece of personal data found in the text, or None."""
    if _CANDIDATE.search(text) is None:
        return None
    own = tuple(d.lower().lstrip("@") for d in own_domains)
    if any(c.isdigit() for c in text):
        if kind := _number_kind(text):
            return kind
        if _NI.search(text):
            return "ni_number"
        if _birth_date(text):
            return "date_of_birth"
        if _postcode(text):
            return "postcode"
    if "@" in text:
        for match in EMAIL.finditer(text):
            if _outside(match.group("domain"), own):
                return "email"
    for match in _TITLE.finditer(text):
        if match.group("name") not in _NOT_NAMES:
            return "title_name"
    return None
