"""adapter/fhir/codes.py and the domain enums name exactly the codes of the compiled CodeSystems."""

from __future__ import annotations

from enum import Enum

import pytest
from profiles_support import PROFILES, compiled

from adapter.domain import model
from adapter.domain.catalogue import AMBIGUITIES, RULES
from adapter.fhir import codes

CODE_SYSTEMS = compiled("CodeSystem")
VALUE_SETS = compiled("ValueSet")
STRUCTURE_DEFINITIONS = compiled("StructureDefinition")


def _codes(system: str) -> set[str]:
    return {c["code"] for c in CODE_SYSTEMS[system]["concept"]}


def _constants(prefix: str) -> dict[str, str]:
    return {
        name: value
        for name, value in vars(codes).items()
        if name.startswith(prefix) and isinstance(value, str)
    }


@pytest.mark.parametrize(("name", "url"), sorted(_constants("CS_").items()))
def test_code_system_constant_names_a_compiled_code_system(name: str, url: str) -> None:
    if name == "CS_BASE":
        return

    assert url in CODE_SYSTEMS
    assert url.replace("/CodeSystem/", "/ValueSet/") in VALUE_SETS


@pytest.mark.parametrize(("name", "code"), sorted(_constants("OBS_").items()))
def test_observation_code_constant_is_in_the_observation_code_system(name: str, code: str) -> None:
    assert code in _codes(codes.CS_OBSERVATION)


@pytest.mark.parametrize(("name", "code"), sorted(_constants("EVENT_").items()))
def test_event_constant_is_a_message_event(name: str, code: str) -> None:
    assert code in _codes(codes.CS_MESSAGE_EVENT)


@pytest.mark.parametrize(
    ("name", "url"),
    sorted(
        (n, v)
        for n, v in vars(codes).items()
        if isinstance(v, str) and v.startswith(f"{codes.SD_BASE}/")
    ),
)
def test_structure_definition_constant_names_a_compiled_profile_or_extension(
    name: str, url: str
) -> None:
    assert url in STRUCTURE_DEFINITIONS


def test_observation_code_system_has_the_reference_and_organ_system_codes() -> None:
    assert {"reference-uptake", "organ-system"} <= _codes(codes.CS_OBSERVATION)


@pytest.mark.parametrize(
    ("enum", "system", "extra"),
    [
        (model.SiteClass, codes.CS_SITE_CLASS, set()),
        (model.UptakeSource, codes.CS_UPTAKE_SOURCE, set()),
        (model.AnatomicCorrelate, codes.CS_CORRELATE, set()),
        (model.BenignEvidence, codes.CS_BENIGN, set()),
        (model.Progression, codes.CS_PROGRESSION, set()),
        (model.Grade, codes.CS_GRADE, set()),
        (model.Therapy, codes.CS_THERAPY, {"none"}),
        (model.Category, codes.CS_CATEGORY, set()),
        (model.PrrtRecommendation, codes.CS_PRRT, set()),
        (model.ContextItem, codes.CS_CONTEXT, {"grade", "ki67"}),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_enum_values_are_exactly_the_code_system(
    enum: type[Enum], system: str, extra: set[str]
) -> None:
    assert {str(member.value) for member in enum} | extra == _codes(system)


def test_uptake_levels_are_exactly_the_uptake_level_code_system() -> None:
    assert {str(int(level)) for level in model.UptakeLevel} == _codes(codes.CS_UPTAKE_LEVEL)


def test_category_displays_are_the_sstr_rads_labels() -> None:
    displays = {c["code"]: c["display"] for c in CODE_SYSTEMS[codes.CS_CATEGORY]["concept"]}

    assert displays == {c.code: c.label for c in model.Category}


def test_rule_code_system_is_exactly_the_catalogue() -> None:
    assert _codes(codes.CS_RULE) == set(RULES) | set(AMBIGUITIES)


def test_rule_code_system_source_is_generated_from_the_current_catalogue() -> None:
    # A catalogue change without `python fhir_profiles/tools/gen_rule_codes.py` fails here.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_rule_codes", PROFILES / "tools" / "gen_rule_codes.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)

    assert generator.TARGET.read_text("utf-8") == generator.render()


def test_radiopharmaceutical_value_set_is_cid_4021_extended_by_the_project_tracers() -> None:
    includes = VALUE_SETS[f"{codes.VS_BASE}/sstr-radiopharmaceutical"]["compose"]["include"]
    listed = {(i["system"], c["code"]) for i in includes for c in i.get("concept", [])}

    assert listed == {(codes.SNOMED, "724025002"), (codes.UMLS, "C2713594")}
    assert {i["system"] for i in includes} == {codes.SNOMED, codes.UMLS, codes.CS_TRACER}
    # 68Ga-DOTATATE and 68Ga-DOTATOC have DICOM CID 4021 codes: no project duplicate.
    assert _codes(codes.CS_TRACER) == {"ga68-dotanoc", "ga68-nodaga-jr11"}


def test_every_tracer_constant_is_a_member_of_the_radiopharmaceutical_value_set() -> None:
    includes = VALUE_SETS[f"{codes.VS_BASE}/sstr-radiopharmaceutical"]["compose"]["include"]
    members = {(i["system"], c["code"]) for i in includes for c in i.get("concept", [])}
    members |= {(codes.CS_TRACER, code) for code in _codes(codes.CS_TRACER)}

    assert {(system, code) for code, system in codes.TRACER_SYSTEMS.items()} == members
    assert set(codes.TRACER_LABELS) == set(codes.TRACER_SYSTEMS)


def test_the_umls_system_is_the_umls_uri_not_rxnorm() -> None:
    assert codes.UMLS == "http://www.nlm.nih.gov/research/umls"


def test_the_radiopharmaceutical_binding_is_extensible() -> None:
    sd = STRUCTURE_DEFINITIONS[codes.EXT_RADIOPHARMACEUTICAL]
    (binding,) = [e["binding"] for e in sd["snapshot"]["element"]
                  if e["id"] == "Extension.value[x]" and "binding" in e]

    assert binding["strength"] == "extensible"
    assert binding["valueSet"] == f"{codes.VS_BASE}/sstr-radiopharmaceutical"


def test_task_code_system_has_the_tumour_board_review() -> None:
    assert _codes(codes.CS_TASK) == {codes.EVENT_TUMOUR_BOARD}


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (codes.CS_CONTEXT, codes.CONTEXT_GRADE),
        (codes.CS_CONTEXT, codes.CONTEXT_KI67),
        (codes.CS_THERAPY, codes.THERAPY_NONE),
        (codes.CS_TRACER, codes.TRACER_DOTANOC),
        (codes.CS_TRACER, codes.TRACER_NODAGA_JR11),
        (codes.CS_TASK, codes.TASK_TUMOUR_BOARD),
        (codes.CS_MESSAGE_EVENT, codes.TASK_TUMOUR_BOARD),
    ],
)
def test_project_code_constant_is_in_its_code_system(system: str, code: str) -> None:
    assert code in _codes(system)
