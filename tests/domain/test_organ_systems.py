"""Discussion: a representative lesion per organ system, the system found from the anatomy."""

from __future__ import annotations

import pytest

from adapter.domain import Category, SiteClass, Study, score_study
from adapter.domain.anatomy import (
    SNOMED_SYSTEMS,
    SYSTEM_LABELS,
    SystemSource,
    organ_system_of,
)

from .builders import COMPLETE_CONTEXT, codes, lesion, lesion_in

C = Category

# Fine-grained anatomy as a NET report names it: Couinaud segments, nodal stations,
# vertebrae and ribs, the pancreas. No finding gives an organ-system component.
FINE = (
    ("seg-II", "277956007", "liver segment II", SiteClass.TYPICAL_SOFT_TISSUE, 14.0),
    ("seg-VI", "277960005", "liver segment VI", SiteClass.TYPICAL_SOFT_TISSUE, 22.0),
    ("seg-VIII", "277962002", "liver segment VIII", SiteClass.TYPICAL_SOFT_TISSUE, 18.0),
    ("mesenteric", "279795009", "mesenteric lymph node", SiteClass.TYPICAL_SOFT_TISSUE, 16.0),
    ("retroperitoneal", "91394001", "retroperitoneal node", SiteClass.TYPICAL_SOFT_TISSUE, 25.0),
    ("hepatic-hilum", "61492009", "node at the liver hilum", SiteClass.TYPICAL_SOFT_TISSUE, 9.0),
    ("T8", "11068009", "T8 vertebral body", SiteClass.BONE_NOT_ATYPICAL, 11.0),
    ("rib", "113197003", "left 7th rib", SiteClass.BONE_NOT_ATYPICAL, 13.0),
    ("pancreas", "15776009", "pancreatic tail", SiteClass.TYPICAL_SOFT_TISSUE, 30.0),
)


def _fine_study(*extra: object) -> Study:
    lesions = tuple(
        lesion_in(C.C5, lesion_id, site=site, site_class=site_class, suv=suv,
                  organ_system=None, site_code=code)
        for lesion_id, code, site, site_class, suv in FINE
    )
    return Study(lesions=(*lesions, *extra), context=COMPLETE_CONTEXT)  # type: ignore[arg-type]


@pytest.mark.rule("DISC-REPRESENTATIVE")
def test_fine_grained_anatomy_gives_exactly_one_representative_per_organ_system() -> None:
    result = score_study(_fine_study())

    chosen = sorted(a.lesion.lesion_id for a in result.lesions if a.representative)
    assert chosen == ["pancreas", "retroperitoneal", "rib", "seg-VI"]
    systems = [organ_system_of(a.lesion).key for a in result.lesions if a.representative]
    assert sorted(systems) == ["bone", "liver", "lymph-node", "pancreas"]
    assert "AMB-ORGAN-SYSTEM-UNMAPPED" not in codes(result.ambiguities)


def test_liver_segments_nodal_stations_and_vertebrae_map_to_their_organ_system() -> None:
    found = {lesion_id: organ_system_of(lesion(site_code=code, organ_system=None,
                                               site_class=SiteClass.TYPICAL_SOFT_TISSUE))
             for lesion_id, code, *_ in FINE}

    assert {k: s.key for k, s in found.items()} == {
        "seg-II": "liver", "seg-VI": "liver", "seg-VIII": "liver", "mesenteric": "lymph-node",
        "retroperitoneal": "lymph-node", "hepatic-hilum": "lymph-node", "T8": "bone",
        "rib": "bone", "pancreas": "pancreas",
    }
    assert all(s.source is SystemSource.ANATOMY for s in found.values())


@pytest.mark.parametrize(
    ("given", "key"),
    [("Liver", "liver"), (" lymph nodes ", "lymph-node"), ("lymph-node", "lymph-node"),
     ("Bowel", "gastrointestinal"), ("10200004", "liver"), ("genitourinary", "genitourinary")],
)
def test_a_given_organ_system_wins_over_the_anatomy(given: str, key: str) -> None:
    system = organ_system_of(lesion(organ_system=given, site_code="15776009"))

    assert (system.key, system.source) == (key, SystemSource.GIVEN)


def test_a_bone_site_class_is_the_skeleton_whatever_the_code() -> None:
    system = organ_system_of(lesion(organ_system=None, site_code="816092008",
                                    site_class=SiteClass.BONE_NOT_ATYPICAL))

    assert (system.key, system.source) == ("bone", SystemSource.SITE_CLASS)


def test_an_unmapped_code_is_its_own_system_and_names_the_policy() -> None:
    spleen = [lesion_in(C.C5, f"spleen-{i}", site="spleen", organ_system=None,
                        site_code="78961009", suv=10.0 + i) for i in range(2)]

    result = score_study(_fine_study(*spleen))

    chosen = {a.lesion.lesion_id for a in result.lesions if a.representative}
    assert "spleen-1" in chosen and "spleen-0" not in chosen
    policy = next(a for a in result.ambiguities if a.code == "AMB-ORGAN-SYSTEM-UNMAPPED")
    assert "spleen-0, spleen-1" in policy.reason
    assert organ_system_of(spleen[0]).label == "SNOMED CT 78961009"


def test_the_unmapped_policy_is_not_named_when_no_representative_is_chosen() -> None:
    few = (lesion_in(C.C5, "spleen", organ_system=None, site_code="78961009"),)

    result = score_study(Study(lesions=few, context=COMPLETE_CONTEXT))

    assert "AMB-ORGAN-SYSTEM-UNMAPPED" not in codes(result.ambiguities)


def _verhoeff_ok(number: str) -> bool:
    d = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
         [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
         [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
         [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
         [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
    p = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
         [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
         [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
         [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
    check = 0
    for i, digit in enumerate(reversed(number)):
        check = d[check][p[i % 8][int(digit)]]
    return check == 0


def test_every_snomed_code_of_the_table_is_a_well_formed_concept_id() -> None:
    # SCTIDs carry a Verhoeff check digit; the two digits before it are the partition
    # (00: a concept of the international release). Catches typing errors, not wrong concepts.
    bad = [code for code in SNOMED_SYSTEMS
           if not (code.isdigit() and 6 <= len(code) <= 18 and code[-3:-1] == "00"
                   and _verhoeff_ok(code))]

    assert bad == []


def test_the_verhoeff_check_rejects_a_mistyped_code() -> None:
    assert _verhoeff_ok("10200004") and not _verhoeff_ok("10200005")


def test_every_system_of_the_table_is_used_by_a_code_or_is_a_catch_all() -> None:
    used = set(SNOMED_SYSTEMS.values())

    assert set(SYSTEM_LABELS) - used == {"soft-tissue", "other"}
