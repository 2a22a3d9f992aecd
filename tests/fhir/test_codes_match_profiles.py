"""Every system, code, extension and profile the adapter writes exists in fhir_profiles/."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import orjson
import pytest

from adapter.domain import (
    AMBIGUITIES,
    RULES,
    AnatomicCorrelate,
    BenignEvidence,
    Category,
    ContextItem,
    Grade,
    Progression,
    PrrtRecommendation,
    SiteClass,
    Therapy,
    UptakeSource,
)
from adapter.fhir import codes

RESOURCES = Path(codes.__file__).resolve().parents[2] / "fhir_profiles/fsh-generated/resources"


def _by_url(kind: str) -> dict[str, dict[str, Any]]:
    docs = (orjson.loads(p.read_bytes()) for p in RESOURCES.glob(f"{kind}-*.json"))
    return {d["url"]: d for d in docs}


CODE_SYSTEMS = _by_url("CodeSystem")
DEFINITIONS = _by_url("StructureDefinition")


def _codes(system: str) -> set[str]:
    def walk(concepts: list[dict[str, Any]]) -> set[str]:
        return {c["code"] for c in concepts} | {
            x for c in concepts for x in walk(c.get("concept", []))}
    return walk(CODE_SYSTEMS[system].get("concept", []))


def _constants(prefix: str) -> dict[str, str]:
    return {k: v for k, v in vars(codes).items()
            if k.startswith(prefix) and isinstance(v, str) and not k.endswith("_BASE")}


@pytest.mark.parametrize(("name", "url"), sorted(_constants("CS_").items()))
def test_every_project_code_system_constant_has_a_compiled_code_system(
    name: str, url: str
) -> None:
    assert url in CODE_SYSTEMS, name


@pytest.mark.parametrize(("name", "url"),
                         sorted({**_constants("EXT_"), **_constants("PROFILE_")}.items()))
def test_every_extension_and_profile_constant_has_a_structure_definition(
    name: str, url: str
) -> None:
    assert url in DEFINITIONS, name


@pytest.mark.parametrize(("name", "code"), sorted(_constants("OBS_").items()))
def test_every_observation_code_is_in_the_observation_code_system(name: str, code: str) -> None:
    assert code in _codes(codes.CS_OBSERVATION), name


ENUMS: list[tuple[type[Enum], str, set[str]]] = [
    (SiteClass, codes.CS_SITE_CLASS, set()),
    (AnatomicCorrelate, codes.CS_CORRELATE, set()),
    (BenignEvidence, codes.CS_BENIGN, set()),
    (Progression, codes.CS_PROGRESSION, set()),
    (Category, codes.CS_CATEGORY, set()),
    (PrrtRecommendation, codes.CS_PRRT, set()),
    (UptakeSource, codes.CS_UPTAKE_SOURCE, set()),
    (Grade, codes.CS_GRADE, set()),
    (Therapy, codes.CS_THERAPY, {codes.THERAPY_NONE}),
    (ContextItem, codes.CS_CONTEXT, {codes.CONTEXT_GRADE, codes.CONTEXT_KI67}),
]


@pytest.mark.parametrize(("enum", "system", "extra"), ENUMS,
                         ids=lambda x: getattr(x, "__name__", ""))
def test_domain_enum_values_are_exactly_the_codes_the_adapter_uses(
    enum: type[Enum], system: str, extra: set[str]
) -> None:
    expected = {str(m.value) for m in enum} | extra

    assert expected <= _codes(system)


def test_every_rule_and_ambiguity_code_is_in_the_rule_code_system() -> None:
    assert set(RULES) | set(AMBIGUITIES) <= _codes(codes.CS_RULE)


def test_events_task_and_tracer_codes_exist() -> None:
    assert {codes.EVENT_SCORE_REQUEST, codes.EVENT_SCORE_RESPONSE, codes.EVENT_TUMOUR_BOARD} <= (
        _codes(codes.CS_MESSAGE_EVENT))
    assert codes.TASK_TUMOUR_BOARD in _codes(codes.CS_TASK)
    assert {codes.TRACER_DOTANOC, codes.TRACER_NODAGA_JR11} == _codes(codes.CS_TRACER)
