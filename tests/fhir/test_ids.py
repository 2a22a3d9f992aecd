"""Deterministic output ids."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from adapter.fhir.ids import NAMESPACE, OutputIds, uuid5, uuid5_int


@given(st.text())
def test_the_fast_uuid5_equals_the_standard_librarys(name: str) -> None:
    assert uuid5(name) == str(uuid.uuid5(NAMESPACE, name))


def test_ids_depend_on_message_study_role_and_lesion() -> None:
    ids = OutputIds("m1", "1.2.3")

    variants = {ids.id("report"), ids.id("lesion-assessment", "L1"),
                ids.id("lesion-assessment", "L2"), OutputIds("m2", "1.2.3").id("report"),
                OutputIds("m1", "1.2.4").id("report")}

    assert len(variants) == 5
    assert ids.url("report") == f"urn:uuid:{OutputIds('m1', '1.2.3').id('report')}"


@given(st.text())
def test_the_fast_uuid5_int_equals_the_standard_librarys(name: str) -> None:
    assert uuid5_int(name) == uuid.uuid5(NAMESPACE, name).int
