"""What the rules compare and the answer repeats of the typed FHIR data types.

The declaration (:mod:`adapter.fhir.schema`) has checked each element's type and cardinality.
What is left is checked here, where a value is used: the lexical rules of a value the answer
repeats (:mod:`adapter.fhir.primitives`), codes from a CodeSystem, UCUM units, and the parts a
profile requires. Each function records a problem by FHIRPath instead of raising, so one pass
reports every problem of a message; diagnostics never quote the value (it may be patient data).
Copies hold only the checked elements, as plain JSON for the answer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any, TypeVar

from msgspec import UNSET, UnsetType
from typing_extensions import TypeIs

from adapter.fhir import codes
from adapter.fhir.codes import UNIT_TEXTS
from adapter.fhir.primitives import STRING_RULE, is_code, is_fhir_string, is_uri
from adapter.fhir.problems import IssueCode, Problems
from adapter.fhir.schema import (
    CodeableConcept,
    Coding,
    Component,
    Identifier,
    Observation,
    Quantity,
    items,
    value_names,
)

JsonObject = dict[str, Any]
T = TypeVar("T")


def check_one_value(element: Any, path: str, problems: Problems) -> None:
    """At most one ``value[x]`` on an element (Observation, component, extension): two are
    two answers to one question (``valueInteger`` and ``valueString`` on one component)."""
    found = value_names(element)
    if found:
        for key in found:
            problems.add(IssueCode.STRUCTURE, f"{path}.{key}",
                         "only one value[x] is allowed on an element; this one has "
                         f"{len(found)}")


def required(value: T | UnsetType, here: str, name: str, problems: Problems) -> TypeIs[T]:
    """False, with a problem, when an element the profile requires here is absent."""
    if value is UNSET:
        problems.add(IssueCode.REQUIRED, here, f"{name} is required")
        return False
    return True


def text(value: str | UnsetType, here: str, name: str, problems: Problems, *,
         needed: bool = True) -> str | None:
    """A string the answer repeats (:func:`is_fhir_string`); None when absent or invalid."""
    if value is UNSET:
        if needed:
            problems.add(IssueCode.REQUIRED, here, f"{name} is required")
        return None
    if is_fhir_string(value):
        return value
    problems.add(IssueCode.VALUE, here, f"{name} {STRING_RULE}")
    return None


def uri(value: str | UnsetType, here: str, name: str, problems: Problems) -> str | None:
    """An optional uri the answer repeats (:func:`is_uri`); None when absent or invalid."""
    if value is UNSET:
        return None
    if is_uri(value):
        return value
    problems.add(IssueCode.VALUE, here, f"{name} must be a uri (a string without whitespace)")
    return None


def components(res: Observation, path: str, problems: Problems) -> Iterator[tuple[str, Component]]:
    """The components of a read Observation (at ``path``) with their FHIRPaths. The
    Observation and each component may carry one ``value[x]`` at most; ``component`` is
    required."""
    check_one_value(res, path, problems)
    required(res.component, f"{path}.component", "component", problems)
    for i, comp in enumerate(items(res.component)):
        c_path = f"{path}.component[{i}]"
        check_one_value(comp, c_path, problems)
        yield c_path, comp


def code_in(value: str | UnsetType, here: str, name: str, problems: Problems,
            allowed: Collection[str], *, needed: bool = True) -> str | None:
    """A code that must be one of ``allowed``."""
    if type(value) is str and value in allowed:
        return value  # the allowed codes are valid codes
    if value is UNSET:
        if needed:
            problems.add(IssueCode.REQUIRED, here, f"{name} is required")
        return None
    options = ", ".join(sorted(allowed))
    problems.add(IssueCode.CODE_INVALID, here, f"{name} must be one of: {options}")
    return None


def coding_code(concept: CodeableConcept | UnsetType | Any, system: str) -> str | None:
    """The code of the first coding of ``concept`` in ``system``."""
    if type(concept) is not CodeableConcept or concept.coding is UNSET:
        return None
    for coding in concept.coding:
        if coding.system == system:
            code = coding.code
            return code if code is not UNSET else None
    return None


def concept_label(concept: CodeableConcept) -> str:
    """Text of a CodeableConcept for people: text, else the first display, else the first code."""
    if concept.text is not UNSET and concept.text.strip():
        return concept.text
    for coding in items(concept.coding):
        for value in (coding.display, coding.code):
            if value is not UNSET and value.strip():
                return value
    return ""


def coding_copy(coding: Coding) -> JsonObject | None:
    """The copy of a Coding the answer repeats (system, code, display); None if it is not
    one: system and code are required, each of the three must pass its lexical rule."""
    system, code, display = coding.system, coding.code, coding.display
    if not (is_uri(system) and is_code(code)):
        return None
    if display is UNSET:
        return {"system": system, "code": code}
    return {"system": system, "code": code, "display": display} if is_fhir_string(display) else None


def coding_problems(coding: Coding, here: str, problems: Problems) -> None:
    """Why :func:`coding_copy` refused a Coding, element by element."""
    if not is_uri(coding.system):
        problems.add(IssueCode.VALUE, f"{here}.system",
                     "a Coding needs a system (a uri without whitespace)")
    if not is_code(coding.code):
        problems.add(IssueCode.VALUE, f"{here}.code",
                     "a Coding needs a code (a string without leading, trailing or "
                     "repeated whitespace)")
    if coding.display is not UNSET and not is_fhir_string(coding.display):
        problems.add(IssueCode.VALUE, f"{here}.display", f"display {STRING_RULE}")


def read_coding(coding: Coding, here: str, problems: Problems) -> JsonObject | None:
    """A Coding the answer repeats, checked strictly (see :func:`coding_copy`)."""
    copy = coding_copy(coding)
    if copy is None:
        coding_problems(coding, here, problems)
    return copy


def concept_copy(concept: CodeableConcept | UnsetType, here: str, name: str,
                 problems: Problems, *, needed: bool = True) -> JsonObject | None:
    """A CodeableConcept the answer repeats, checked strictly: every coding (see
    :func:`coding_copy`) and the text. Returns the copy of ``coding`` and ``text`` only."""
    if concept is UNSET:
        if needed:
            problems.add(IssueCode.REQUIRED, here, f"{name} is required")
        return None
    out: JsonObject = {}
    valid = True
    if concept.coding is not UNSET:
        copies = [coding_copy(c) for c in concept.coding]
        valid = None not in copies
        out["coding"] = copies
    if concept.text is not UNSET:
        valid = valid and is_fhir_string(concept.text)
        out["text"] = concept.text
    if valid and out:
        return out
    # The paths are built only for a problem.
    for i, coding in enumerate(items(concept.coding)):
        if coding_copy(coding) is None:
            coding_problems(coding, f"{here}.coding[{i}]", problems)
    if concept.text is not UNSET and not is_fhir_string(concept.text):
        problems.add(IssueCode.VALUE, f"{here}.text", f"text {STRING_RULE}")
    if concept.coding is UNSET and concept.text is UNSET:
        problems.add(IssueCode.REQUIRED, here, "a CodeableConcept needs a coding or a text")
    return None


def coded(concept: CodeableConcept | UnsetType, here: str, name: str, problems: Problems,
          system: str, allowed: Collection[str]) -> str | None:
    """The code of a CodeableConcept from ``system``, which must be one of ``allowed``."""
    if concept is UNSET:
        problems.add(IssueCode.REQUIRED, here, f"{name} is required")
        return None
    codings = items(concept.coding)
    found = next(((i, c) for i, c in enumerate(codings) if c.system == system), None)
    if found is None:
        problems.add(IssueCode.CODE_INVALID, f"{here}.coding",
                     f"{name} needs a coding from {system}")
        return None
    index, coding = found
    code = coding.code
    if len(codings) > 1 and any(c.system == system and c.code != code
                                for c in codings[index + 1:]):
        problems.add(IssueCode.CODE_INVALID, f"{here}.coding",
                     f"{name} has codings from {system} that disagree: give one")
        return None
    return code_in(code, f"{here}.coding[{index}].code", "code", problems, allowed)


def quantity_value(quantity: Quantity | UnsetType, here: str, name: str, problems: Problems,
                   unit: str) -> float | None:
    """The value of a Quantity in the given UCUM unit (``system`` UCUM, ``code`` = unit; a
    ``unit`` text, when given, must say the same)."""
    if quantity is UNSET:
        problems.add(IssueCode.REQUIRED, here, f"{name} is required")
        return None
    value, unit_text = quantity.value, quantity.unit
    if (value is not UNSET and quantity.code == unit and quantity.system == codes.UCUM
            and (unit_text is UNSET or unit_text == unit or unit_text in UNIT_TEXTS[unit])):
        return float(value)  # the usual, valid case first: no path is built
    if value is UNSET:
        problems.add(IssueCode.REQUIRED, f"{here}.value", "value is required")
    if unit_text is not UNSET and not is_fhir_string(unit_text):
        problems.add(IssueCode.VALUE, f"{here}.unit", f"unit {STRING_RULE}")
        return None
    if quantity.code != unit or quantity.system != codes.UCUM:
        problems.add(IssueCode.CODE_INVALID, f"{here}.code",
                     f"the unit must be UCUM '{unit}' (system http://unitsofmeasure.org)")
        return None
    if unit_text is not UNSET and unit_text not in UNIT_TEXTS[unit]:
        allowed = "', '".join(sorted(UNIT_TEXTS[unit]))
        problems.add(IssueCode.VALUE, f"{here}.unit",
                     f"unit contradicts the UCUM code '{unit}' (the unit text may be '{allowed}'"
                     " or absent)")
        return None
    return None if value is UNSET else float(value)


def quantity_copy(quantity: Quantity, unit: str) -> JsonObject:
    """A Quantity :func:`quantity_value` accepted: value, unit (if given), UCUM system, code."""
    out: JsonObject = {"value": quantity.value}
    if quantity.unit is not UNSET:
        out["unit"] = quantity.unit
    out["system"] = codes.UCUM
    out["code"] = unit
    return out


def identifier_copy(identifier: Identifier, here: str, problems: Problems) -> JsonObject | None:
    """An Identifier the answer repeats: type, system and value, each checked."""
    before = problems.count
    out: JsonObject = {}
    if identifier.type is not UNSET:
        concept = concept_copy(identifier.type, f"{here}.type", "type", problems)
        if concept is not None:
            out["type"] = concept
    system = uri(identifier.system, f"{here}.system", "system", problems)
    if system is not None:
        out["system"] = system
    if is_fhir_string(identifier.value):
        out["value"] = identifier.value
    else:
        problems.add(IssueCode.VALUE, f"{here}.value", f"an identifier's value {STRING_RULE}")
    return out if problems.count == before else None
