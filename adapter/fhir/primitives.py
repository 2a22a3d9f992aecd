"""The lexical rules of the FHIR primitives the answer may repeat: string, uri, code.

The declaration (:mod:`adapter.fhir.schema`) names which element has which type and checks the
cheap ones itself (id, dateTime and instant: the patterns are in the declaration); these
predicates decide for one string, where the answer repeats it or a rule compares it
(:mod:`adapter.fhir.datatypes`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeGuard

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
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


def date_of(value: str) -> dt.date:
    """The day of a valid FHIR dateTime (``schema.DateTime``); a partial date counts from its
    first day."""
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
