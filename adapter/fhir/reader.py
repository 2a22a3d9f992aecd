"""Typed reads from decoded JSON that record a problem instead of raising.

Each reader takes the parent object, the key, the parent's FHIRPath and the
:class:`Problems` collector, so one pass reports every problem of a message.
Diagnostics describe the expected shape, never the value found (it may be patient data).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection
from typing import Any, TypeGuard

from adapter.fhir.codes import UNIT_TEXTS
from adapter.fhir.problems import IssueCode, Problems

JsonObject = dict[str, Any]

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
_UCUM = "http://unitsofmeasure.org"
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)
"""What no echoed string may hold: C0 controls but tab, CR and LF; DEL and the C1 controls
(terminal escapes); lone surrogates; Unicode noncharacters (U+FDD0-FDEF, U+xFFFE/xFFFF).
XML 1.0 (the narrative, the HTML report) cannot carry most of them."""
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Bidirectional embedding, override and isolate controls: they reorder what a reader sees
(a 'not' can appear elsewhere), so an echoed text holding one is rejected, not rewritten."""
STRING_RULE = ("must be a non-empty string without control characters (other than tab, CR, "
               "LF), noncharacters or bidirectional controls (U+202A-202E, U+2066-2069)")


def is_fhir_string(value: object) -> TypeGuard[str]:
    """A FHIR string (``[ \\r\\n\\t\\S]+``), not blank, that the output may repeat: no
    control character but tab/CR/LF, no noncharacter, no bidirectional control."""
    if not isinstance(value, str) or not value or value.isspace():
        return False
    # isprintable() (C, fast) admits none of the forbidden characters: the usual case skips
    # the regexes, which decide for strings with tabs, line breaks or other non-printables.
    # FHIR's ``\S`` is XML's (not space, tab, CR, LF): a no-break space is a valid character.
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


def get_date_time(
    parent: JsonObject, key: str, path: str, problems: Problems, *, instant: bool = False,
    required: bool = True,
) -> str | None:
    """A dateTime (instant: date, time and zone) valid in the calendar; a problem otherwise."""
    value = parent.get(key)
    if is_date_time(value, instant=instant):
        return value
    value = get_str(parent, key, path, problems, required=required)
    if value is not None:
        what = ("a FHIR instant (date, time and zone)" if instant else "a FHIR dateTime")
        problems.add(IssueCode.VALUE, f"{path}.{key}",
                     f"{key} must be {what} that exists in the calendar (years 0001-9999, "
                     "zone offsets -14:00 to +14:00)")
    return None


def date_of(value: str) -> dt.date:
    """The day of a valid FHIR dateTime (:func:`is_date_time`); a partial date counts from
    its first day."""
    year = int(value[0:4])
    month = int(value[5:7]) if len(value) >= 7 else 1
    day = int(value[8:10]) if len(value) >= 10 else 1
    return dt.date(year, month, day)


def _present(
    parent: JsonObject, key: str, path: str, problems: Problems, required: bool
) -> Any:
    """``parent[key]``, or None after reporting it missing when it is required."""
    value = parent.get(key)
    if value is None and required:
        problems.add(IssueCode.REQUIRED, f"{path}.{key}", f"{key} is required")
    return value


def get_object(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> JsonObject | None:
    value = _present(parent, key, path, problems, required)
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add(IssueCode.STRUCTURE, f"{path}.{key}", f"{key} must be a JSON object")
        return None
    return value


def get_list(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> list[Any]:
    """A FHIR array: absent gives [] (with a problem when required); never an empty array."""
    value = _present(parent, key, path, problems, required)
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        problems.add(IssueCode.STRUCTURE, f"{path}.{key}", f"{key} must be a non-empty JSON array")
        return []
    return value


def get_objects(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> list[tuple[str, JsonObject]]:
    """The objects of an array with their FHIRPaths; non-objects are reported and skipped."""
    out: list[tuple[str, JsonObject]] = []
    for i, item in enumerate(get_list(parent, key, path, problems, required=required)):
        item_path = f"{path}.{key}[{i}]"
        if isinstance(item, dict):
            out.append((item_path, item))
        else:
            problems.add(IssueCode.STRUCTURE, item_path, f"{key} items must be JSON objects")
    return out


def get_str(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> str | None:
    value = _present(parent, key, path, problems, required)
    if value is None:
        return None
    if not is_fhir_string(value):
        problems.add(IssueCode.VALUE, f"{path}.{key}", f"{key} {STRING_RULE}")
        return None
    return value


def get_pattern(
    parent: JsonObject, key: str, path: str, problems: Problems, pattern: re.Pattern[str],
    what: str, *, required: bool = True,
) -> str | None:
    value = parent.get(key)
    if isinstance(value, str) and pattern.fullmatch(value):
        return value  # the patterns admit no blank string: valid
    value = get_str(parent, key, path, problems, required=required)
    if value is not None and not pattern.fullmatch(value):
        problems.add(IssueCode.VALUE, f"{path}.{key}", f"{key} must be {what}")
        return None
    return value


def get_code(
    parent: JsonObject, key: str, path: str, problems: Problems, allowed: Collection[str],
    *, required: bool = True,
) -> str | None:
    value = parent.get(key)
    if isinstance(value, str) and value in allowed:
        return value  # the allowed codes are valid strings
    value = get_str(parent, key, path, problems, required=required)
    if value is not None and value not in allowed:
        options = ", ".join(sorted(allowed))
        problems.add(IssueCode.CODE_INVALID, f"{path}.{key}", f"{key} must be one of: {options}")
        return None
    return value


def get_number(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> float | None:
    value = _present(parent, key, path, problems, required)
    if value is None:
        return None
    # bool is an int in Python: true/false are not numbers in FHIR JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(IssueCode.VALUE, f"{path}.{key}", f"{key} must be a JSON number")
        return None
    number = float(value)
    if not math.isfinite(number):
        problems.add(IssueCode.VALUE, f"{path}.{key}", f"{key} must be a finite number")
        return None
    return number


def get_int(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> int | None:
    value = _present(parent, key, path, problems, required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(IssueCode.VALUE, f"{path}.{key}", f"{key} must be a JSON integer")
        return None
    return value


def get_quantity(
    parent: JsonObject, key: str, path: str, problems: Problems, unit: str,
    *, required: bool = True,
) -> float | None:
    """A Quantity in the given UCUM unit (``system`` UCUM, ``code`` = unit)."""
    quantity = parent.get(key)
    if type(quantity) is dict:  # the usual, valid case first: no path is built
        value = quantity.get("value")
        unit_text = quantity.get("unit", unit)
        if ((type(value) is float or type(value) is int) and quantity.get("code") == unit
                and quantity.get("system") == _UCUM and math.isfinite(value)
                and (unit_text == unit
                     or (type(unit_text) is str and unit_text in UNIT_TEXTS[unit]))
                and "comparator" not in quantity):
            return float(value)
    quantity = get_object(parent, key, path, problems, required=required)
    if quantity is None:
        return None
    if "comparator" in quantity:
        # "<150 MBq" or ">20 SUV" is not a measurement the rules can compare with Table 2.
        problems.add(IssueCode.NOT_SUPPORTED, f"{path}.{key}.comparator",
                     "a quantity with a comparator (<, <=, >=, >) cannot be scored: "
                     "give the measured value")
        return None
    value = get_number(quantity, "value", f"{path}.{key}", problems)
    unit_text = quantity.get("unit")
    if unit_text is not None and not is_fhir_string(unit_text):
        problems.add(IssueCode.VALUE, f"{path}.{key}.unit", f"unit {STRING_RULE}")
        return None
    if quantity.get("code") != unit or quantity.get("system") != _UCUM:
        problems.add(IssueCode.CODE_INVALID, f"{path}.{key}.code",
                     f"the unit must be UCUM '{unit}' (system http://unitsofmeasure.org)")
        return None
    if unit_text is not None and unit_text not in UNIT_TEXTS[unit]:
        allowed = "', '".join(sorted(UNIT_TEXTS[unit]))
        problems.add(IssueCode.VALUE, f"{path}.{key}.unit",
                     f"unit contradicts the UCUM code '{unit}' (the unit text may be '{allowed}'"
                     " or absent)")
        return None
    return value


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else [] (shape problems are reported elsewhere)."""
    return value if isinstance(value, list) else []


def find_coding(concept: JsonObject, system: str) -> tuple[int, JsonObject] | None:
    """The first coding of ``concept`` in ``system``, with its index."""
    codings = concept.get("coding")
    if not isinstance(codings, list):
        return None
    for i, coding in enumerate(codings):
        if isinstance(coding, dict) and coding.get("system") == system:
            return i, coding
    return None


def coding_code(concept: JsonObject, system: str) -> str | None:
    """The code of the first coding of ``concept`` in ``system`` when it is a string."""
    codings = concept.get("coding")
    if type(codings) is list:  # type() is: JSON decodes to exact types, and it is faster
        for coding in codings:
            if type(coding) is dict and coding.get("system") == system:
                code = coding.get("code")
                return code if type(code) is str else None
    return None


def get_coded(
    parent: JsonObject, key: str, path: str, problems: Problems, system: str,
    allowed: Collection[str], *, required: bool = True,
) -> str | None:
    """The code of a CodeableConcept from ``system`` that must be in ``allowed``."""
    concept = get_object(parent, key, path, problems, required=required)
    if concept is None:
        return None
    found = find_coding(concept, system)
    if found is None:
        problems.add(IssueCode.CODE_INVALID, f"{path}.{key}.coding",
                     f"{key} needs a coding from {system}")
        return None
    index, coding = found
    code = coding.get("code")
    codings = concept["coding"]
    if len(codings) > 1 and any(
            type(c) is dict and c.get("system") == system and c.get("code") != code
            for c in codings[index + 1:]):
        problems.add(IssueCode.CODE_INVALID, f"{path}.{key}.coding",
                     f"{key} has codings from {system} that disagree: give one")
        return None
    if isinstance(code, str) and code in allowed and code.strip():
        return code  # valid: the paths below are only built for a problem
    return get_code(coding, "code", f"{path}.{key}.coding[{index}]", problems, allowed)


def concept_label(concept: JsonObject) -> str:
    """Text of a CodeableConcept for people: text, else the first display, else the first code."""
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text
    for coding in as_list(concept.get("coding")):
        if isinstance(coding, dict):
            for field in ("display", "code"):
                value = coding.get(field)
                if isinstance(value, str) and value.strip():
                    return value
    return ""


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


def _coding_copy(coding: Any) -> JsonObject | None:
    """The copy of a valid Coding (system, code, display); ``None`` if anything is wrong."""
    if not isinstance(coding, dict):
        return None
    system, code, display = coding.get("system"), coding.get("code"), coding.get("display")
    if not (is_uri(system) and is_code(code)):
        return None
    if display is None:
        return {"system": system, "code": code}
    return {"system": system, "code": code, "display": display} if is_fhir_string(display) else None


def _coding_problems(coding: Any, path: str, problems: Problems) -> None:
    if not isinstance(coding, dict):
        problems.add(IssueCode.STRUCTURE, path, "a Coding must be a JSON object")
        return
    if not is_uri(coding.get("system")):
        problems.add(IssueCode.VALUE, f"{path}.system",
                     "a Coding needs a system (a uri without whitespace)")
    if not is_code(coding.get("code")):
        problems.add(IssueCode.VALUE, f"{path}.code",
                     "a Coding needs a code (a string without leading, trailing or "
                     "repeated whitespace)")
    display = coding.get("display")
    if display is not None and not is_fhir_string(display):
        problems.add(IssueCode.VALUE, f"{path}.display", f"display {STRING_RULE}")


def read_coding(coding: Any, path: str, problems: Problems) -> JsonObject | None:
    """A Coding the output repeats, checked strictly: system (uri) and code required,
    display optional. Returns the copy of just those elements (the rest is not read)."""
    copy = _coding_copy(coding)
    if copy is None:
        _coding_problems(coding, path, problems)
    return copy


def get_concept(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> JsonObject | None:
    """A CodeableConcept the output repeats, checked strictly: every coding (see
    :func:`read_coding`) and the text. Returns the copy of ``coding`` and ``text`` only."""
    concept = get_object(parent, key, path, problems, required=required)
    if concept is None:
        return None
    out: JsonObject = {}
    codings = concept.get("coding")
    valid = True
    if codings is not None:
        copies = ([_coding_copy(c) for c in codings]
                  if isinstance(codings, list) and codings else [None])
        valid = None not in copies
        out["coding"] = copies
    text = concept.get("text")
    if text is not None:
        valid = valid and is_fhir_string(text)
        out["text"] = text
    if valid and out:
        return out
    _concept_problems(concept, f"{path}.{key}", problems)  # paths built only for a problem
    return None


def _concept_problems(concept: JsonObject, path: str, problems: Problems) -> None:
    codings = concept.get("coding")
    if codings is not None:
        if isinstance(codings, list) and codings:
            for i, coding in enumerate(codings):
                if _coding_copy(coding) is None:
                    _coding_problems(coding, f"{path}.coding[{i}]", problems)
        else:
            problems.add(IssueCode.STRUCTURE, f"{path}.coding",
                         "coding must be a non-empty JSON array")
    text = concept.get("text")
    if text is not None and not is_fhir_string(text):
        problems.add(IssueCode.VALUE, f"{path}.text", f"text {STRING_RULE}")
    if codings is None and text is None:
        problems.add(IssueCode.REQUIRED, path, "a CodeableConcept needs a coding or a text")
