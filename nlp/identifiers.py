"""Find structured personal identifiers in free text with regular expressions and checksums.

Every finder returns ``Span`` tuples ``(start, end, kind)`` on the original text. Overlaps between
finders are resolved later by ``nlp.redaction`` (structured kinds outrank names).

Decision on NHS numbers: a 10-digit number that passes the modulus-11 check is an ``NHS_NUMBER``
anywhere; one that fails the check is still an ``NHS_NUMBER`` when "NHS" appears within 40
characters before it (a mistyped NHS number still identifies a person); otherwise it falls to the
generic long-number rule and becomes ``ID``. We prefer recall: any run of 8+ digits that no other
rule explains is an ``ID``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

Span = tuple[int, int, str]

_I = re.IGNORECASE

_TLD = (
    r"(?:com|co\.uk|org\.uk|org|net|gov\.uk|gov|nhs\.uk|nhs\.net|nhs|sch\.uk|ac\.uk|uk|io|info|me)"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_AT = r"(?:\s+at\s+|\s*[(\[{<]\s*at\s*[)\]}>]\s*)"
_DOT = r"(?:\s+dot\s+|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\.)"
_SPOKEN_TLD = r"(?:com|co" + _DOT + r"uk|org(?:" + _DOT + r"uk)?|net|gov" + _DOT + r"uk|nhs"
_SPOKEN_TLD += r"(?:" + _DOT + r"(?:net|uk))?|sch" + _DOT + r"uk|ac" + _DOT + r"uk|uk|io|info)"
_SPOKEN_EMAIL = re.compile(
    r"\b[A-Za-z0-9][\w.+'-]*(?:\s+dot\s+[\w+'-]+)*"
    + _AT
    + r"[A-Za-z0-9-]+(?:"
    + _DOT
    + r"[A-Za-z0-9-]+)*?"
    + _DOT
    + _SPOKEN_TLD
    + r"\b",
    _I,
)
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\."
    + _TLD
    + r"(?:/[^\s<>\"']*)?",
    _I,
)
_POSTCODE = re.compile(
    r"\b(?:GIR\s?0AA|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9]"
    r"[A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])\s?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    _I,
)
_NHS = re.compile(r"(?<![\d)+-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
_NHS_CUE = re.compile(r"\bnhs\b", _I)
_NI = re.compile(
    r"\b(?!(?:BG|GB|NK|KN|NT|TN|ZZ))[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}"
    r"\s?[A-D]\b",
    _I,
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(0\)\s?|\+44\s?|0044\s?|\(0)?\(?0?\d{2,4}\)?(?:[\s-]?\d){6,8}\b"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = re.compile(
    r"\b(?:[0-3]?\d[/.-][01]?\d[/.-](?:\d{4}|\d{2})|(?:19|20)\d{2}-[01]\d-[0-3]\d"
    r"|" + _DAY + r"(?:\s+of)?\s+" + _MONTH + r"\.?(?:,?\s+" + _YEAR + r"|\s+'?\d{2})?"
    r"|" + _MONTH + r"\.?\s+" + _DAY + r"(?:,?\s+" + _YEAR + r")?)(?![\w/])",
    _I,
)
# "March 2024"; and a day and month after a weekday ("Monday 3/4"), where "3/4" alone may be a
# fraction ("3/4 of staff").
_MONTH_YEAR = re.compile(r"\b" + _MONTH + r"\.?,?\s+" + _YEAR + r"\b", _I)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_WEEKDAY_DATE = re.compile(
    r"\b" + _WEEKDAY + r"\.?,?\s+(?:the\s+)?([0-3]?\d[/.][01]?\d|" + _DAY + r")(?![\w/])", _I
)
_DOB = re.compile(
    r"\b(?:born\s+(?:on|in)?|d\.?o\.?b\.?|date\s+of\s+birth|birthday\s+is)\s*(?:is\s*)?[:\-]?\s*"
    r"((?:" + _MONTH + r"\s+)?" + _YEAR + r"|" + _MONTH + r"|[0-3]?\d[/.-][01]?\d)\b",
    _I,
)
_STREET = (
    r"(?:(?:street|road|lane|avenue|close|drive|way|crescent|court|gardens?|place|terrace|grove|"
    r"hill|park|row|square|walk|mews|rise|view|green|parade|mount|vale|meadow|field|wharf|yard|"
    r"gate|boulevard|chase|croft|dale|estate|heights|tower|lodge|manor|mill|orchard|path|bridge|"
    r"brook|common|circle|glen|haven|hollow|passage|ridge|wood|bank|side|fold|garth|wynd|loan)s?"
    r"|st|rd|ln|ave|cl|dr|cres|ct|gdns|pl|sq|end)"
)
_STOP = r"(?!(?:in|on|at|of|to|and|or|a|an|for|with|from|by|is|was|my|our|times?|years?|days?)\b)"
_STREET_NAME = r"(?:the\s+)?(?:" + _STOP + r"[a-z][\w'-]*\s+){1,3}" + _STREET + r"\b\.?"
_ADDRESS = re.compile(
    r"\b(?:(?:flat|studio|apartment|apt|unit|room)\s+\d+[a-z]?\b,?\s*(?:\d{1,4}[a-z]?,?\s+)?"
    r"|\d{1,4}[a-z]?,?\s+)" + _STREET_NAME,
    _I,
)
_FLAT = re.compile(
    r"\b(?:flat|studio|apartment|apt)\s+\d+[a-z]?\b(?:,?\s+(?:\d{1,4}[a-z]?\s+)?"
    r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})?",
    _I,
)
# After "live at", "address:" and the like, a number and capitalised words are an address even
# when the street word is unusual ("88 Michelle Village").
_CUED_ADDRESS = re.compile(
    r"(?i:\b(?:live|lives|living|lived|moved|move|address(?:\s+on\s+file)?|staying|stay|"
    r"stays|letter|post)\b[^.,;:\d]{0,20}?[\s:]+)(\d{1,4}[a-zA-Z]?,?\s+[A-Z][\w'-]*"
    r"(?:\s+[A-Z][\w'-]*){0,2})"
)
_ID_CUE = re.compile(
    r"\b(?:urn|upn|uln|uprn|laestab|dfe(?:\s+(?:number|no\.?))?|estab(?:lishment)?\s+number|"
    r"(?:case|client|reference|ref|file|crime|incident|pupil|student|staff|employee|payroll)"
    r"\s*(?:number|no\.?|id|ref)?|company\s+number|charity\s+number|id)\s*(?:is|number|no\.?)?"
    r"\s*[:#]?\s*([A-Z]{0,6}[-/]?[0-9][A-Z0-9/-]{3,})\b",
    _I,
)
# A coded reference with no cue: letters then digits across a hyphen or slash ("CR-2024-00123",
# "MASH-88213", "LA/2023/4471") or "#48213". At least four digits, so "COVID-19" and "Y10" stay.
_CODED_REFERENCE = re.compile(
    r"(?<![\w/#-])(?:#\d{3,}|[A-Z]{1,6}[-/]\d{2,}(?:[-/][A-Z0-9]+)*)(?![\w/-])"
)
# A phone number never starts inside a coded reference ("CR-2024-00123").
_REFERENCE_PREFIX = re.compile(r"(?:[A-Za-z]{1,6}[-/]|#)$")
_DFE = re.compile(r"(?<![\d/])\d{3}/\d{4}(?![\d/])")
_UPN = re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b")
_LONG_NUMBER = re.compile(r"(?<![\w])\d(?:[ -]?\d){7,}(?![\w])")


def nhs_checksum_ok(digits: str) -> bool:
    """Return whether ten digits pass the NHS modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_emails(text: str) -> Iterator[Span]:
    """Yield email addresses, including spoken forms like "jo at mail dot com"."""
    for rx in (_EMAIL, _SPOKEN_EMAIL):
        for m in rx.finditer(text):
            yield m.start(), m.end(), "EMAIL"


def find_urls(text: str) -> Iterator[Span]:
    """Yield web addresses."""
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)]":
            end -= 1
        yield m.start(), end, "URL"


def find_postcodes(text: str) -> Iterator[Span]:
    """Yield UK postcodes (position-specific letters, GIR 0AA), any case."""
    for m in _POSTCODE.finditer(text):
        yield m.start(), m.end(), "POSTCODE"


def find_nhs_numbers(text: str) -> Iterator[Span]:
    """Yield NHS numbers: checksum-valid anywhere, or any 10 digits just after "NHS"."""
    for m in _NHS.finditer(text):
        digits = "".join(m.groups())
        near_cue = _NHS_CUE.search(text, max(0, m.start() - 40), m.start()) is not None
        if nhs_checksum_ok(digits) or near_cue:
            yield m.start(), m.end(), "NHS_NUMBER"


def find_ni_numbers(text: str) -> Iterator[Span]:
    """Yield National Insurance numbers with valid prefixes and an A-D suffix."""
    for m in _NI.finditer(text):
        yield m.start(), m.end(), "NI_NUMBER"


def find_phones(text: str) -> Iterator[Span]:
    """Yield UK phone numbers found by libphonenumber and by a +44/0 shape rule."""
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        # Fewer than 8 digits is a year, a count or a URN; "0800 1111" (Childline) has 8.
        # Nobody writes a phone number with a slash; "Section 11 2024/25" is a year.
        digits = sum(c.isdigit() for c in match.raw_string)
        slashed = "/" in match.raw_string
        if digits >= 8 and not slashed and not _REFERENCE_PREFIX.search(text[: match.start]):
            yield match.start, match.end, "PHONE"
    for m in _PHONE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if (
            digits >= 10
            and "/" not in m.group()
            and not _REFERENCE_PREFIX.search(text[: m.start()])
        ):
            yield m.start(), m.end(), "PHONE"


def find_dates(text: str) -> Iterator[Span]:
    """Yield dates (numeric and written) and the year or month after a birth cue."""
    for rx in (_DATE, _MONTH_YEAR, _WEEKDAY_DATE):
        for m in rx.finditer(text):
            yield m.start(), m.end(), "DATE"
    for m in _DOB.finditer(text):
        yield m.start(1), m.end(1), "DATE"


def find_addresses(text: str) -> Iterator[Span]:
    """Yield street addresses (house number + street word) and flat numbers."""
    for rx in (_ADDRESS, _FLAT):
        for m in rx.finditer(text):
            yield m.start(), m.end(), "ADDRESS"
    for m in _CUED_ADDRESS.finditer(text):
        yield m.start(1), m.end(1), "ADDRESS"


def find_reference_ids(text: str) -> Iterator[Span]:
    """Yield school and organisation reference numbers and other long numbers."""
    for m in _ID_CUE.finditer(text):
        yield m.start(1), m.end(1), "ID"
    for m in _CODED_REFERENCE.finditer(text):
        if sum(c.isdigit() for c in m.group()) >= 4:
            yield m.start(), m.end(), "ID"
    for rx in (_DFE, _UPN, _LONG_NUMBER):
        for m in rx.finditer(text):
            yield m.start(), m.end(), "ID"


FINDERS = (
    find_emails,
    find_urls,
    find_nhs_numbers,
    find_ni_numbers,
    find_postcodes,
    find_phones,
    find_dates,
    find_addresses,
    find_reference_ids,
)

# Higher wins when spans overlap; the generic ID rule loses to every specific kind.
PRIORITY = {
    "EMAIL": 90,
    "URL": 80,
    "NHS_NUMBER": 75,
    "NI_NUMBER": 70,
    "POSTCODE": 65,
    "DATE": 60,
    "PHONE": 55,
    "ADDRESS": 50,
    "ID": 40,
    "NAME": 30,
}


_DIGIT = re.compile(r"\d")
_BIRTH_CUE = re.compile(r"born|birth|d\.?o\.?b", _I)
_AT_WORD = re.compile(r"(?<![A-Za-z0-9_])at(?![A-Za-z0-9_])", _I)  # "jo at mail dot com"


def find_identifiers(text: str) -> list[Span]:
    """Return every candidate structured-identifier span in ``text``.

    A finder runs only where its identifier could be: most answers hold no digit, no "@" or
    "at", no "." and no birth cue, and every finder's pattern needs one of those (NHS numbers 10
    digits, phone numbers 8, NI numbers 6; dates, postcodes, addresses and reference numbers at
    least one; a web address a "."; a date with no digit a birth cue, "born in March").
    The result is the same as running every finder in ``FINDERS``.
    """
    digits = len(_DIGIT.findall(text))
    spans: list[Span] = []
    if "@" in text or _AT_WORD.search(text):
        spans += find_emails(text)
    if "." in text:
        spans += find_urls(text)
    if digits >= 10:
        spans += find_nhs_numbers(text)
    if digits >= 6:
        spans += find_ni_numbers(text)
    if digits:
        spans += find_postcodes(text)
    if digits >= 8:
        spans += find_phones(text)
    if digits or _BIRTH_CUE.search(text):
        spans += find_dates(text)
    if digits:
        spans += find_addresses(text)
        spans += find_reference_ids(text)
    return spans
