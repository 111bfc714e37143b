"""The personal-data guard: finds what identifies a person in free text, without a network or model.

Kinds: NHS numbers (modulus 11 check digit), National Insurance numbers, dates of birth, UK
postcodes, UK phone numbers, email addresses outside the workspace's own domains, and a title
followed by a name. A finding names only its kind, never the text.

Every kind is found in one pass of one compiled pattern. Each shape is anchored on a character
it must hold (a digit for numbers, dates and postcodes, `+` or `(` for a phone, `@` for an email,
`M` or `D` for a title), so the pattern opens with that set of characters and the regular
expression engine skips every other character without trying the shapes. What comes before the
anchor (the letters of a postcode or an NI number, the word "born") is checked by lookbehinds.
Only the shapes found are then validated (the check digit, the NI prefixes, the inward code, the
birth context, the domain, the name), in the order they stand in the text; the scan goes on after
a shape that fails. Texts that hold no anchor cost one pass of the engine's character-set skip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from operator import mul

KINDS = (
    "nhs_number",
    "ni_number",
    "date_of_birth",
    "postcode",
    "phone",
    "email",
    "title_name",
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NI_1, _NI_2 = "[A-CEGHJ-PR-TW-Z]", "[A-CEGHJ-NPR-TW-Z]"
_INWARD = r"\d[ABD-HJLNP-UW-Z]{2}(?![\w-])"
# The scan opens with the anchor characters, then goes by the anchor and what stands before it:
# a digit after a letter (postcodes, NI numbers), a digit at the start of a word (NHS numbers,
# phones, spaced NI numbers, dates), `+` or `(` (phones), `@` (emails), `M` or `D` (titles). A
# digit after a digit starts no shape. `(?<![\w-]..)` and the like say what may not stand before
# the shape's first character, counting back over the anchor.
_SCAN = re.compile(
    r"[\d@MD+(](?<![\d_][\d+(MD])(?:(?<=\d)(?:"
    # A digit after a letter: the outward code of a postcode, or an NI number's prefix.
    r"(?<=[^\W\d_]\d)(?:"
    rf"(?P<ni>(?i:(?<={_NI_1}{_NI_2}\d)(?<![\w-]...)\d{{5}} ?[A-D](?![\w-])))"
    rf"|(?P<postcode>(?i:(?<=[A-PR-UWYZ]\d)(?<![\w-]..)[\dA-HJKPSTUW]? ?{_INWARD}"
    rf"|(?<=[A-PR-UWYZ][A-HK-Y]\d)(?<![\w-]...)[\dABEHMNPRV-Y]? ?{_INWARD}"
    r"|(?<=GIR0)(?<![\w-]....)AA(?![\w-])))"
    # A digit at the start of a word.
    r")|(?<!\w.)(?:"
    # NHS number: ten digits, grouped 3-3-4 or not.
    r"(?P<nhs>(?<![/-].)\d\d[ -]?\d{3}[ -]?\d{4}(?![\w/-]))"
    # Phone: 0 then nine or ten more digits with separators.
    r"|(?P<phone>(?<=0)(?<![+/-].)[1-9](?:[\s)-]{0,2}\d){8,9}(?![\w/-]))"
    # National Insurance number, spaced: two prefix letters, six digits, a suffix letter.
    rf"|(?P<ni_spaced>(?i:(?<={_NI_1}{_NI_2} \d)(?<![\w-]....)\d \d\d \d\d(?: ?[A-D])?(?![\w-])))"
    # "born 1950", "born in 1950".
    r"|(?P<born>(?i:(?:(?<=\bborn [12])|(?<=\bborn in [12]))(?:(?<=1)9|(?<=2)0)\d\d\b))"
    # A date led by its day or year, then one led by the name of its month.
    r"|(?P<date>(?<![/.-].)(?i:\d?[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{3}-\d\d-\d\d"
    rf"|\d?(?:st|nd|rd|th)?(?: of)? {_MONTH},? \d{{4}})(?![\w/-]))"
    r"|(?P<month_date>(?<=[A-Za-z] \d)(?i:\d?(?:st|nd|rd|th)?,? \d{4})(?![\w/-]))"
    r"|(?P<gir>(?i:(?<=GIR 0)(?<![\w-].....)AA(?![\w-])))"
    r"))"
    # Phone: +44 or (0, then nine or ten more digits with separators.
    r"|(?P<phone_intl>(?:(?<=\+)(?<![\w+/-].)44[\s-]?(?:\(0\)[\s-]?)?|(?<=\()(?<![\w+/-].)0)"
    r"[1-9](?:[\s)-]{0,2}\d){8,9}(?![\w/-]))"
    # Email: something before the @, then the domain.
    r"|(?P<email>(?<=[\w.+'-]@)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    # A title, initials, then a name.
    r"|(?P<title>(?<![\w-].)(?:(?<=M)(?:r|R|rs|RS|s|iss|ISS|x|str)|(?<=D)r)\.?[ \t]+"
    r"(?:[A-Z]\.?[ \t]*){0,3}(?P<name>[A-Z](?:[a-z]+(?:['\u2019]?[A-Z][a-z]+)?"
    r"|['\u2019][A-Z][a-z]+)(?:-[A-Z][a-z]+)?|[A-Z]{2,})\b)"
    r")"
)
_NOT_NI = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_MONTH_BEFORE = re.compile(rf"(?<![\w/.-]){_MONTH} $", re.IGNORECASE)
_NOT_INWARD = re.compile(r"\d(?:st|nd|rd|th|am|pm)")
_BIRTH = re.compile(
    r"\b(?:born|n[ée]e|dob|d\.o\.b\b\.?|date of birth|birth ?date|birthday"
    r"|aged? ?:? ?\d{1,3}\b|\d{1,3}[ -]?(?:years?|yrs?)[ -]?old|\d{1,3} ?y/?o\b)",
    re.IGNORECASE,
)
# Every match of _BIRTH holds one of these, lower-cased: a cheap test that most texts fail.
# Every match of _BIRTH holds one of these once lower-cased: a cheap test most texts fail.
_BIRTH_HINT = re.compile(r"born|rth|dob|d\.o\.b|age|old|y/?o|n[ée]e")
EMAIL = re.compile(r"[\w.+'-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_NOT_NAMES = frozenset(
    {"Teams", "Word", "Excel", "Forms", "Outlook", "Office", "Society", "Team", "Who", "And"}
)
_WINDOW = 40
_NON_DIGIT = re.compile(r"\D")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_ZERO = ord("0")


def nhs_valid(digits: str) -> bool:
    """A ten-digit NHS number whose modulus 11 check digit holds (all-same digits never do)."""
    if len(digits) != 10 or not digits.isdecimal() or digits.count(digits[0]) == 10:
        return False
    if not digits.isascii():
        digits = "".join(str(int(d)) for d in digits)
    codes = digits.encode()
    total: int = sum(map(mul, codes, _WEIGHTS)) - _ZERO * sum(_WEIGHTS)
    return codes[9] - _ZERO == (11 - total % 11) % 11  # 11 means 0; 10 never matches a digit


# What each branch of the scan found is checked by one of these: the kind, or None if it is not.
Check = Callable[[re.Match[str], str, Iterable[str]], str | None]


def _nhs(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    digits = match[0].replace(" ", "").replace("-", "")
    if nhs_valid(digits):
        return "nhs_number"
    return "phone" if digits[0] == "0" else None  # ten digits led by 0 that are no NHS number


def _phone(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    shape = match[0]
    digits = _NON_DIGIT.sub("", shape)
    national = digits[2:] if shape[0] == "+" else digits
    return "phone" if len(national.removeprefix("0")) in (9, 10) else None


def _ni(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    start = match.start() - (3 if match.lastgroup == "ni_spaced" else 2)
    return None if text[start : start + 2].upper() in _NOT_NI else "ni_number"


def _birth_near(text: str, start: int, end: int) -> str | None:
    if _BIRTH_HINT.search(text.lower()) is None:
        return None
    window = text[max(0, start - _WINDOW) : end + _WINDOW]
    return "date_of_birth" if _BIRTH.search(window) else None


def _date(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    return _birth_near(text, match.start(), match.end())


def _month_date(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    month = _MONTH_BEFORE.search(text, max(0, match.start() - 11), match.start())
    return None if month is None else _birth_near(text, month.start(), match.end())


def _born(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    return "date_of_birth"


def _postcode(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    inward = match[0][-3:]
    return None if inward.islower() and _NOT_INWARD.fullmatch(inward) else "postcode"


def _email(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    domain = match[0][1:].lower()
    for name in own:
        mine = name.lower().lstrip("@")
        if domain == mine or domain.endswith("." + mine):
            return None
    return "email"


def _title(match: re.Match[str], text: str, own: Iterable[str]) -> str | None:
    return None if match["name"] in _NOT_NAMES else "title_name"


_CHECKS: dict[str | None, Check] = {
    "nhs": _nhs,
    "phone": _phone,
    "phone_intl": _phone,
    "ni": _ni,
    "ni_spaced": _ni,
    "born": _born,
    "date": _date,
    "month_date": _month_date,
    "postcode": _postcode,
    "gir": _postcode,
    "email": _email,
    "title": _title,
}


def find_pii(text: str, own_domains: Iterable[str] = ()) -> str | None:
    """The kind of the first piece of personal data found in the text, or None."""
    search = _SCAN.search
    match = search(text)
    while match is not None:
        if kind := _CHECKS[match.lastgroup](match, text, own_domains):
            return kind
        match = search(text, match.end())
    return None
