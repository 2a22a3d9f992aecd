"""Typed reads from decoded JSON that record a problem instead of raising.

Each reader takes the parent object, the key, the parent's FHIRPath and the
:class:`Problems` collector, so one pass reports every problem of a message.
Diagnostics describe the expected shape, never the value found (it may be patient data).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import Any

from adapter.fhir.problems import IssueCode, Problems

JsonObject = dict[str, Any]

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
DATE_TIME = re.compile(
    r"([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]\d\d:\d\d))?)?)?"
)
INSTANT = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]\d\d:\d\d)"
)


def get_object(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> JsonObject | None:
    value = parent.get(key)
    if value is None:
        if required:
            problems.add(IssueCode.REQUIRED, f"{path}.{key}", f"{key} is required")
        return None
    if not isinstance(value, dict):
        problems.add(IssueCode.STRUCTURE, f"{path}.{key}", f"{key} must be a JSON object")
        return None
    return value


def get_list(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> list[Any]:
    """A FHIR array: absent gives [] (with a problem when required); never an empty array."""
    value = parent.get(key)
    if value is None:
        if required:
            problems.add(IssueCode.REQUIRED, f"{path}.{key}", f"{key} is required")
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
    value = parent.get(key)
    if value is None:
        if required:
            problems.add(IssueCode.REQUIRED, f"{path}.{key}", f"{key} is required")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(IssueCode.VALUE, f"{path}.{key}", f"{key} must be a non-empty string")
        return None
    return value


def get_pattern(
    parent: JsonObject, key: str, path: str, problems: Problems, pattern: re.Pattern[str],
    what: str, *, required: bool = True,
) -> str | None:
    value = get_str(parent, key, path, problems, required=required)
    if value is not None and not pattern.fullmatch(value):
        problems.add(IssueCode.VALUE, f"{path}.{key}", f"{key} must be {what}")
        return None
    return value


def get_code(
    parent: JsonObject, key: str, path: str, problems: Problems, allowed: Collection[str],
    *, required: bool = True,
) -> str | None:
    value = get_str(parent, key, path, problems, required=required)
    if value is not None and value not in allowed:
        options = ", ".join(sorted(allowed))
        problems.add(IssueCode.CODE_INVALID, f"{path}.{key}", f"{key} must be one of: {options}")
        return None
    return value


def get_number(
    parent: JsonObject, key: str, path: str, problems: Problems, *, required: bool = True
) -> float | None:
    value = parent.get(key)
    if value is None:
        if required:
            problems.add(IssueCode.REQUIRED, f"{path}.{key}", f"{key} is required")
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
    value = parent.get(key)
    if value is None:
        if required:
            problems.add(IssueCode.REQUIRED, f"{path}.{key}", f"{key} is required")
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
    quantity = get_object(parent, key, path, problems, required=required)
    if quantity is None:
        return None
    value = get_number(quantity, "value", f"{path}.{key}", problems)
    if quantity.get("code") != unit or quantity.get("system") != "http://unitsofmeasure.org":
        problems.add(IssueCode.CODE_INVALID, f"{path}.{key}.code",
                     f"the unit must be UCUM '{unit}' (system http://unitsofmeasure.org)")
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
    if isinstance(codings, list):
        for coding in codings:
            if isinstance(coding, dict) and coding.get("system") == system:
                code = coding.get("code")
                return code if isinstance(code, str) else None
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
