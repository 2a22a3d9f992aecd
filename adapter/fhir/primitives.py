"""The lexical rules of the FHIR primitives the answer may repeat: string, uri, code, dateTime.

The declaration (:mod:`adapter.fhir.schema`) names which element has which type; these
predicates decide for one value. The fast path checks them for a whole message at once (a scan
of the body, :mod:`adapter.fhir.structure`); the diagnostic pass calls them per element.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeGuard

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# R4's dateTime and instant patterns (no year 0000; zone offsets -14:00..+14:00); the calendar
# (2023-02-30) and the leap second (only at 23:59:60) are checked by :func:`is_date_time`.
_YEAR = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
_TIME = (r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?"
         r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))")
DATE_TIME = re.compile(
    rf"{_YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T{_TIME})?)?)?"
)
INSTANT = re.compile(rf"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T{_TIME}")
URI = re.compile(r"\S+")
"""A FHIR uri (fullUrl, Coding.system, Extension.url): no whitespace."""
CODE = re.compile(r"[^\s]+( [^\s]+)*")
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    "\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)
"""What no echoed string may hold: C0 controls but tab, CR and LF; DEL and the C1 controls
(terminal escapes); lone surrogates; Unicode noncharacters (U+FDD0-FDEF, U+xFFFE/xFFFF).
XML 1.0 (the narrative, the HTML report) cannot carry most of them. Also the Unicode spaces
and separators other than the ASCII space (no-break space, U+2000-200A, line and paragraph
separators, U+3000, U+FEFF): the official R4 JSON schema reads the string pattern
``[ \\r\\n\\t\\S]+`` with ECMAScript's ``\\S``, which refuses them, so an R4 server validating
with it would refuse an answer that repeats one."""
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Bidirectional embedding, override and isolate controls: they reorder what a reader sees
(a 'not' can appear elsewhere), so an echoed text holding one is rejected, not rewritten."""
STRING_RULE = ("must be a non-empty string without control characters (other than tab, CR, "
               "LF), noncharacters, bidirectional controls (U+202A-202E, U+2066-2069) or "
               "Unicode spaces other than U+0020 (such as the no-break space U+00A0)")


def is_fhir_string(value: object) -> TypeGuard[str]:
    """A FHIR string (``[ \\r\\n\\t\\S]+``), not blank, that the output may repeat: no
    control character but tab/CR/LF, no noncharacter, no bidirectional control."""
    if not isinstance(value, str) or not value or value.isspace():
        return False
    # isprintable() (C, fast) admits none of the forbidden characters: the usual case skips
    # the regexes, which decide for strings with tabs, line breaks or other non-printables.
    return value.isprintable() or (
        _FORBIDDEN.search(value) is None and _BIDI.search(value) is None)


def is_date_time(value: object, *, instant: bool = False) -> TypeGuard[str]:
    """A FHIR dateTime (or instant) that exists in the calendar, with a valid zone offset."""
    if not isinstance(value, str):
        return False
    match = (INSTANT if instant else DATE_TIME).fullmatch(value)
    if match is None:
        return False
    if len(value) >= 10:
        try:
            dt.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            return False  # 2023-02-30, 2023-04-31, 2023-02-29
    return not (len(value) > 17 and value[17:19] == "60" and value[11:16] != "23:59")


def date_of(value: str) -> dt.date:
    """The day of a valid FHIR dateTime (:func:`is_date_time`); a partial date counts from
    its first day."""
    year = int(value[0:4])
    month = int(value[5:7]) if len(value) >= 7 else 1
    day = int(value[8:10]) if len(value) >= 10 else 1
    return dt.date(year, month, day)


def is_uri(value: object) -> TypeGuard[str]:
    """A FHIR uri: a non-empty string without whitespace."""
    # The usual case without the regex: printable strings hold no whitespace but spaces.
    return (isinstance(value, str) and bool(value)
            and ((value.isprintable() and " " not in value)
                 or (URI.fullmatch(value) is not None and _FORBIDDEN.search(value) is None
                     and _BIDI.search(value) is None)))


def is_code(value: object) -> TypeGuard[str]:
    """A FHIR code: no leading, trailing or repeated whitespace."""
    return (isinstance(value, str) and bool(value)
            and ((value.isprintable() and value[0] != " " and value[-1] != " "
                  and "  " not in value)
                 or (CODE.fullmatch(value) is not None and _FORBIDDEN.search(value) is None
                     and _BIDI.search(value) is None)))
