"""Code systems, codes and canonical URLs of the FHIR contract.

One place for every system URI and code the adapter reads or writes. The FHIR
Shorthand sources under ``fhir_profiles/input/fsh`` define the project's own
CodeSystems with exactly these codes; ``tests/fhir/test_codes_match_profiles.py``
keeps the two in step.
"""

from __future__ import annotations

from typing import Final

# --- external terminologies -------------------------------------------------
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
DCM: Final = "http://dicom.nema.org/resources/ontology/DCM"
UCUM: Final = "http://unitsofmeasure.org"
UMLS: Final = "http://www.nlm.nih.gov/research/umls"
NCIT: Final = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
V2_0074: Final = "http://terminology.hl7.org/CodeSystem/v2-0074"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
DICOM_UID: Final = "urn:dicom:uid"
IETF_UUID: Final = "urn:ietf:rfc:3986"

# --- project canonicals -------------------------------------------------------
CANONICAL_BASE: Final = "https://fhir.sstr-adapter.org"
CS_BASE: Final = f"{CANONICAL_BASE}/CodeSystem"
SD_BASE: Final = f"{CANONICAL_BASE}/StructureDefinition"
VS_BASE: Final = f"{CANONICAL_BASE}/ValueSet"

CS_CATEGORY: Final = f"{CS_BASE}/sstr-rads-category"
CS_SITE_CLASS: Final = f"{CS_BASE}/sstr-site-class"
CS_UPTAKE_LEVEL: Final = f"{CS_BASE}/sstr-uptake-level"
CS_UPTAKE_SOURCE: Final = f"{CS_BASE}/sstr-uptake-source"
CS_CORRELATE: Final = f"{CS_BASE}/sstr-anatomic-correlate"
CS_BENIGN: Final = f"{CS_BASE}/sstr-benign-evidence"
CS_PROGRESSION: Final = f"{CS_BASE}/sstr-progression"
CS_PRRT: Final = f"{CS_BASE}/sstr-prrt-recommendation"
CS_RULE: Final = f"{CS_BASE}/sstr-rule"
CS_OBSERVATION: Final = f"{CS_BASE}/sstr-observation-code"
CS_CONTEXT: Final = f"{CS_BASE}/sstr-context-item"
CS_THERAPY: Final = f"{CS_BASE}/sstr-prior-therapy"
CS_GRADE: Final = f"{CS_BASE}/sstr-who-grade"
CS_TRACER: Final = f"{CS_BASE}/sstr-radiopharmaceutical"
CS_MESSAGE_EVENT: Final = f"{CS_BASE}/sstr-message-event"
CS_TASK: Final = f"{CS_BASE}/sstr-task-code"
CS_SITE_SYSTEM: Final = f"{CS_BASE}/sstr-organ-system"

# Identifier systems
ID_LESION_TRACKING: Final = f"{CANONICAL_BASE}/identifier/lesion-tracking-id"
ID_ADAPTER_OUTPUT: Final = f"{CANONICAL_BASE}/identifier/output"

# Message events (MessageHeader.eventCoding)
EVENT_SCORE_REQUEST: Final = "sstr-pet-findings"
EVENT_SCORE_RESPONSE: Final = "sstr-rads-report"
EVENT_TUMOUR_BOARD: Final = "prrt-tumour-board-review"

# Observation codes of the project (sstr-observation-code): for concepts with
# no LOINC/SNOMED/DICOM code found.
OBS_LESION_FINDING: Final = "lesion-finding"
OBS_SITE_CLASS: Final = "site-class"
OBS_UPTAKE_LEVEL: Final = "uptake-level"
OBS_UPTAKE_SOURCE: Final = "uptake-level-source"
OBS_CORRELATE: Final = "anatomic-correlate"
OBS_BENIGN: Final = "benign-evidence"
OBS_PROGRESSION: Final = "progression"
OBS_LESION_SIZE: Final = "lesion-size"
OBS_LESION_ASSESSMENT: Final = "lesion-assessment"
OBS_OVERALL_ASSESSMENT: Final = "overall-assessment"
OBS_DECIDING_RULE: Final = "deciding-rule"
OBS_AMBIGUITY: Final = "ambiguity"
OBS_PRRT: Final = "prrt-recommendation"
OBS_TABLE1_PRRT: Final = "table1-prrt"
OBS_NEXT_STEP: Final = "next-step"
OBS_REPRESENTATIVE: Final = "representative-lesion"
OBS_WAIVED: Final = "waived"
OBS_REFERENCE_LIVER: Final = "reference-liver-suvmean"
OBS_REFERENCE_BLOOD_POOL: Final = "reference-blood-pool-suvmean"
OBS_CLINICAL_CONTEXT: Final = "clinical-context"
OBS_MISSING_ITEM: Final = "missing-minimum-data"

# DICOM / SNOMED codes for SUV
DCM_SUVBW: Final = "126401"
SNOMED_MAXIMUM: Final = "56851009"
SNOMED_MEAN: Final = "255586005"
UCUM_SUVBW: Final = "g/ml{SUVbw}"

# Report
LOINC_PET_WHOLE_BODY: Final = "44139-4"
LOINC_RADIOLOGY: Final = "LP29684-5"
V2_NUCLEAR_MEDICINE: Final = "NMS"

# --- added with the parser/renderer ---------------------------------------------
OBS_REFERENCE_UPTAKE: Final = "reference-uptake"
OBS_ORGAN_SYSTEM: Final = "organ-system"

# Clinical-context component codes (sstr-context-item): the ContextItem values plus
# the two halves of ki67-or-grade.
CONTEXT_GRADE: Final = "grade"
CONTEXT_KI67: Final = "ki67"
THERAPY_NONE: Final = "none"

# Radiopharmaceuticals (extensible binding to ValueSet sstr-radiopharmaceutical: the codes of
# DICOM CID 4021 "PET Radiopharmaceutical" for the SSTR tracers, plus project codes for the
# tracers CID 4021 lacks)
SNOMED_GA68_DOTATATE: Final = "724025002"
UMLS_GA68_DOTATOC: Final = "C2713594"
TRACER_DOTANOC: Final = "ga68-dotanoc"
TRACER_NODAGA_JR11: Final = "ga68-nodaga-jr11"
TRACER_SYSTEMS: Final = {
    SNOMED_GA68_DOTATATE: SNOMED,
    UMLS_GA68_DOTATOC: UMLS,
    TRACER_DOTANOC: CS_TRACER,
    TRACER_NODAGA_JR11: CS_TRACER,
}
"""The system of each radiopharmaceutical code of the value set."""
TRACER_LABELS: Final = {
    SNOMED_GA68_DOTATATE: "68Ga-DOTATATE",
    UMLS_GA68_DOTATOC: "68Ga-DOTATOC",
    TRACER_DOTANOC: "68Ga-DOTANOC",
    TRACER_NODAGA_JR11: "68Ga-NODAGA-JR11",
}
"""How a report names each radiopharmaceutical code."""

# Tumour board
TASK_TUMOUR_BOARD: Final = "prrt-tumour-board-review"
NCIT_TUMOR_BOARD_REVIEW: Final = "C93304"

# Extensions (StructureDefinition/<name>)
EXT_RADIOPHARMACEUTICAL: Final = f"{SD_BASE}/radiopharmaceutical"
EXT_INJECTED_ACTIVITY: Final = f"{SD_BASE}/injected-activity"
EXT_UPTAKE_TIME: Final = f"{SD_BASE}/uptake-time"
EXT_FIELD_OF_VIEW: Final = f"{SD_BASE}/field-of-view"
EXT_MEASUREMENT_DERIVATION: Final = f"{SD_BASE}/measurement-derivation"

# Profiles (StructureDefinition/<id>) written into meta.profile of every output
PROFILE_FINDINGS_MESSAGE: Final = f"{SD_BASE}/sstr-findings-message"
PROFILE_REPORT_MESSAGE: Final = f"{SD_BASE}/sstr-report-message"
PROFILE_LESION_ASSESSMENT: Final = f"{SD_BASE}/sstr-lesion-assessment"
PROFILE_OVERALL_ASSESSMENT: Final = f"{SD_BASE}/sstr-overall-assessment"
PROFILE_REPORT: Final = f"{SD_BASE}/sstr-rads-report"
PROFILE_TUMOUR_BOARD_TASK: Final = f"{SD_BASE}/sstr-tumour-board-task"
PROFILE_TUMOUR_BOARD_MESSAGE: Final = f"{SD_BASE}/sstr-tumour-board-message"

# UCUM units
UCUM_MBQ: Final = "MBq"
UCUM_MIN: Final = "min"
UCUM_MM: Final = "mm"
UCUM_PERCENT: Final = "%"

# Other systems
ID_INPUT_MESSAGE: Final = f"{CANONICAL_BASE}/identifier/input-message"
PROVENANCE_AGENT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
FLAG_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/flag-category"
DICOM_MODALITY_PT: Final = "PT"
DICOM_MODALITY_CT: Final = "CT"
PROFILE_PROVENANCE: Final = f"{SD_BASE}/sstr-provenance"
PROFILE_TUMOUR_BOARD_FLAG: Final = f"{SD_BASE}/sstr-tumour-board-flag"

# What a Quantity's human-readable ``unit`` may say beside each UCUM ``code`` the adapter
# reads: the code itself or a usual spelling of it. Any other text contradicts the code
# (``unit`` "mg/dL" with ``code`` "g/ml{SUVbw}"), and the message is rejected rather than
# read by its code alone.
UNIT_TEXTS: Final[dict[str, frozenset[str]]] = {
    UCUM_SUVBW: frozenset({UCUM_SUVBW, "g/mL{SUVbw}", "g/ml", "g/mL", "SUVbw", "SUV"}),
    UCUM_MBQ: frozenset({UCUM_MBQ}),
    UCUM_MIN: frozenset({UCUM_MIN, "minute", "minutes"}),
    UCUM_MM: frozenset({UCUM_MM, "millimetre", "millimetres", "millimeter", "millimeters"}),
    UCUM_PERCENT: frozenset({UCUM_PERCENT, "percent"}),
}

# --- output workflow: tumour-board request, provenance, next steps ------------------
PROFILE_TUMOUR_BOARD_REQUEST: Final = f"{SD_BASE}/sstr-tumour-board-request"
PROVENANCE_ACTIVITY: Final = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
SOURCE_ENDPOINT: Final = f"{CANONICAL_BASE}/endpoint/sstr-adapter"
"""Default MessageHeader.source.endpoint (an absolute URL; setting SSTR_SOURCE_ENDPOINT)."""
PROFILE_NEXT_STEP_REQUEST: Final = f"{SD_BASE}/sstr-next-step-request"
EXT_NEXT_STEP_REQUEST: Final = f"{SD_BASE}/next-step-request"
CS_NEXT_STEP: Final = f"{CS_BASE}/sstr-next-step"
NEXT_STEP_FOLLOW_UP: Final = "follow-up-imaging"
NEXT_STEP_FDG_PET: Final = "fdg-pet"
NEXT_STEP_TISSUE: Final = "tissue-confirmation"
DCM_TRACKING_IDENTIFIER: Final = "112039"
DCM_TRACKING_UID: Final = "112040"
