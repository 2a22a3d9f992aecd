"""The optional inputs only the report shows (:class:`ReportInputs`), read after validation.

History texts of the clinical context, the ImagingStudy's radiopharmaceutical and each
lesion's SUVmean. Runs on a message the parser has accepted; it takes only values of the
right JSON type (non-blank strings, finite non-negative numbers) and ignores anything else,
so it never rejects a message and never repeats an unchecked element.
"""

from __future__ import annotations

import math
from typing import Any

from adapter.fhir import codes
from adapter.fhir.message import CopiedEntry, LesionSource, ReportInputs
from adapter.fhir.parse_study import TRACERS, component_code
from adapter.fhir.reader import JsonObject, as_list, coding_code

HISTORY_TEXTS = ("symptoms", "previous-imaging", "other-malignancies", "laboratory")


def read_report_inputs(
    doc: Any, lesions: tuple[LesionSource, ...], imaging_study: CopiedEntry
) -> ReportInputs:
    findings = {s.full_url: s.lesion_id for s in lesions}
    history: dict[str, str] = {}
    suv_mean: dict[str, float] = {}
    for entry in as_list(doc.get("entry")) if isinstance(doc, dict) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
            continue
        lesion_id = findings.get(entry.get("fullUrl"))
        if lesion_id is not None:
            mean = _suv_mean(resource)
            if mean is not None:
                suv_mean[lesion_id] = mean
        elif component_code(resource, codes.CS_OBSERVATION) == codes.OBS_CLINICAL_CONTEXT:
            history.update(_history(resource))
    return ReportInputs(radiopharmaceutical=_tracer(imaging_study.resource), history=history,
                        lesion_suv_mean=suv_mean)


def _history(resource: JsonObject) -> dict[str, str]:
    out: dict[str, str] = {}
    for comp in as_list(resource.get("component")):
        if not isinstance(comp, dict):
            continue
        code = component_code(comp, codes.CS_CONTEXT)
        text = comp.get("valueString")
        if code in HISTORY_TEXTS and isinstance(text, str) and text.strip():
            out[code] = text.strip()
    return out


def _suv_mean(resource: JsonObject) -> float | None:
    for comp in as_list(resource.get("component")):
        # Only SUVbw components carry a derivation extension: the others are passed by.
        if (not isinstance(comp, dict) or "extension" not in comp
                or component_code(comp, codes.DCM) != codes.DCM_SUVBW):
            continue
        for ext in as_list(comp.get("extension")):
            concept = ext.get("valueCodeableConcept") if isinstance(ext, dict) else None
            if (ext.get("url") == codes.EXT_MEASUREMENT_DERIVATION and isinstance(concept, dict)
                    and coding_code(concept, codes.SNOMED) == codes.SNOMED_MEAN):
                quantity = comp.get("valueQuantity")
                if not isinstance(quantity, dict) or "comparator" in quantity:
                    return None
                value = quantity.get("value")
                if isinstance(value, int | float) and not isinstance(value, bool) \
                        and math.isfinite(value) and value >= 0:
                    return float(value)
                return None
    return None


def _tracer(study: JsonObject) -> JsonObject | None:
    """The validated radiopharmaceutical Coding of the ImagingStudy's copy, if any."""
    for ext in as_list(study.get("extension")):
        if isinstance(ext, dict) and ext.get("url") == codes.EXT_RADIOPHARMACEUTICAL:
            concept = ext.get("valueCodeableConcept")
            for coding in as_list(concept.get("coding") if isinstance(concept, dict) else None):
                if (isinstance(coding, dict) and coding.get("code") in
                        TRACERS.get(coding.get("system"), ())):  # type: ignore[arg-type]
                    return {"system": coding["system"], "code": coding["code"]}
    return None
