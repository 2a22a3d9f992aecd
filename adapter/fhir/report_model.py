"""The report a physician reads, as one model: conclusion, narrative and HTML are built from it.

Sections follow the paper: clinical information and technique (Supplementary Table 1, the
items that were given), the reference regions the Table 2 levels were read against, one
findings row per lesion (Discussion: anatomical description, maximum diameter, SUV) and the
impression (:class:`adapter.fhir.conclusion.Impression`, whose lines are the conclusion).
Every text here is plain; the renderers (:mod:`adapter.fhir.narrative`) escape it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from adapter.domain import (
    AnatomicCorrelate,
    LesionAssessment,
    ReferenceUptake,
    StudyAssessment,
    StudyContext,
    Therapy,
    UptakeSource,
)
from adapter.domain.anatomy import organ_system_of
from adapter.fhir.conclusion import Impression, impression
from adapter.fhir.message import ParsedMessage, ReportInputs

TITLE = "SSTR-RADS 1.0 report"
NOT_GIVEN = "not given"

FINDINGS_HEADER = ("Lesion", "Site", "Organ system", "Max. diameter", "Uptake level",
                   "SUVmax", "Anatomic correlate", "Category", "Deciding rule", "Remarks")

THERAPY_TEXT: dict[Therapy, str] = {
    Therapy.SSA: "somatostatin analogues (SSA)",
    Therapy.PRRT: "PRRT",
    Therapy.CHEMOTHERAPY: "chemotherapy",
    Therapy.SURGERY: "surgery",
    Therapy.LOCOREGIONAL: "locoregional therapy",
    Therapy.TARGETED: "targeted therapy",
    Therapy.OTHER: "other",
}
SHY = "\u00ad"
"""A soft hyphen: where a long word of a narrow table column may break."""
_CORRELATE_TEXT = {
    AnatomicCorrelate.NONE: "none",
    AnatomicCorrelate.NON_SUSPICIOUS: f"non-sus{SHY}picious",
    AnatomicCorrelate.CORRESPONDING: f"corre{SHY}sponding",
    AnatomicCorrelate.HIGHLY_SUSPICIOUS: f"highly sus{SHY}picious",
}
_SOURCE_TEXT = {UptakeSource.READER: "read", UptakeSource.SUV: "from SUVmax",
                UptakeSource.READER_OVER_SUV: "read"}


# Some twenty items and a row per lesion are built for every message: an item is a plain
# pair (a tuple literal costs a quarter of a NamedTuple's call), a row a NamedTuple (a tuple
# is built several times faster than a frozen dataclass).

Item: TypeAlias = tuple[str, str]
"""One labelled value, ``(label, value)``: ``("Injected activity", "150 MBq")``."""


class Finding(NamedTuple):
    """One row of the findings table: the first ten fields are its cells
    (:data:`FINDINGS_HEADER`)."""

    lesion_id: str
    site: str
    organ_system: str
    diameter: str
    uptake: str
    suv_max: str
    correlate: str
    category: str
    rule: str
    remarks: str
    category_code: str
    """The category code (``3A``), for styling."""

    def cells(self) -> tuple[str, ...]:
        return self[:10]

    def mapped(self, text: Callable[[str], str]) -> Finding:
        """The row with ``text`` applied to every field (e.g. ``html.escape``)."""
        return Finding(*map(text, self))


@dataclass(frozen=True, slots=True)
class ReportModel:
    title: str
    study_date: str
    overall: str
    """``SSTR-RADS-5``."""
    overall_code: str
    clinical: tuple[Item, ...]
    """The Supplementary Table 1 history items that were given, in the table's order."""
    technique: tuple[Item, ...]
    reference: tuple[Item, ...]
    findings: tuple[Finding, ...]
    impression: Impression

    @property
    def conclusion(self) -> list[str]:
        """The ten-second conclusion (``DiagnosticReport.conclusion``, one line a statement)."""
        return self.impression.lines()


def report_model(assessment: StudyAssessment, parsed: ParsedMessage) -> ReportModel:
    """The report of a scored message."""
    return build_report(assessment, parsed.study.context, parsed.study.reference,
                        parsed.report_inputs, parsed.started)


def build_report(
    assessment: StudyAssessment, context: StudyContext, reference: ReferenceUptake | None,
    inputs: ReportInputs, started: str,
) -> ReportModel:
    study_date = _date_time(started)
    return ReportModel(
        title=TITLE,
        study_date=study_date,
        overall=assessment.overall.label,
        overall_code=assessment.overall.code,
        clinical=clinical_information(context, inputs.history),
        technique=technique(context, inputs, study_date),
        reference=reference_regions(reference),
        findings=findings(assessment, inputs.lesion_suv_mean),
        impression=impression(assessment),
    )


def clinical_information(context: StudyContext, history: Mapping[str, str]) -> tuple[Item, ...]:
    """Supplementary Table 1, patient's history: the items that were given."""
    items: list[Item] = []
    if context.primary_tumour:
        items.append(("Primary tumour", context.primary_tumour))
    grading = [f"grade {context.grade}"] if context.grade else []  # a StrEnum formats as its value
    if context.ki67_percent is not None:
        grading.append(f"Ki-67 {context.ki67_percent:g} %")
    if context.biopsy_date or grading:
        parts = [f"biopsy {context.biopsy_date.isoformat()}"] if context.biopsy_date else []
        if grading:
            parts.append(", ".join(grading))
        items.append(("Biopsy and Ki-67/grade", "; ".join(parts)))
    if context.primary_diagnosis_date:
        items.append(("Date of primary diagnosis", context.primary_diagnosis_date.isoformat()))
    if context.symptoms_reported or "symptoms" in history:
        items.append(("Symptoms", history.get("symptoms", "reported")))
    if context.prior_therapies is not None:
        therapies = sorted(THERAPY_TEXT[t] for t in context.prior_therapies)
        items.append(("Previous therapies", ", ".join(therapies) or "none"))
    for code, label, given in (
        ("previous-imaging", "Previous imaging", context.previous_imaging_reported),
        ("other-malignancies", "Other malignancies", context.other_malignancies_reported),
        ("laboratory", "Laboratory results", context.laboratory_reported),
    ):
        if given or code in history:
            items.append((label, history.get(code, "reported")))
    return tuple(items)


_EXAMINATION: Item = ("Examination", "SSTR-PET/CT")


def technique(context: StudyContext, inputs: ReportInputs, study_date: str) -> tuple[Item, ...]:
    """Supplementary Table 1, imaging data, with the radiopharmaceutical and the study date."""
    tracer = inputs.radiopharmaceutical_label or NOT_GIVEN
    if inputs.radiopharmaceutical_label and inputs.radiopharmaceutical is None:
        tracer = f"{tracer} (as given; not a DICOM CID 4021 code)"
    return (
        _EXAMINATION,
        ("Radiopharmaceutical", tracer),
        ("Injected activity", _number(context.injected_activity_mbq, "MBq")),
        ("Uptake time", _number(context.uptake_time_min, "min")),
        ("Field of view", context.field_of_view or NOT_GIVEN),
        ("Study date", study_date),
    )


def reference_regions(reference: ReferenceUptake | None) -> tuple[Item, ...]:
    """Table 2's reference regions and the levels they give SUVmax."""
    if reference is None:
        return (("Reference regions", "not given: uptake levels are the reader's"),)
    blood, liver = reference.blood_pool_suv_mean, reference.liver_suv_mean
    return (
        ("Liver SUVmean", f"{liver:g}"),
        ("Blood-pool SUVmean", f"{blood:g}"),
        ("Table 2 levels (SUVmax)",
             f"1: up to {blood:g}; 2: above {blood:g} up to {liver:g}; 3: above {liver:g}"),
    )


def findings(
    assessment: StudyAssessment, suv_mean: Mapping[str, float] | None = None
) -> tuple[Finding, ...]:
    """One row per lesion, in input order."""
    return tuple(_finding(a, (suv_mean or {}).get(a.lesion.lesion_id)) for a in assessment.lesions)


def _finding(a: LesionAssessment, suv_mean: float | None) -> Finding:
    lesion, uptake = a.lesion, a.uptake
    system = organ_system_of(lesion)
    source = _SOURCE_TEXT[uptake.source]
    if uptake.source is UptakeSource.READER_OVER_SUV:
        source += f"; SUVs give {int(uptake.suv_level or 0)}"
    elif uptake.source is UptakeSource.READER and uptake.suv_level is not None:
        source += "; SUVs agree"
    suv = NOT_GIVEN if lesion.suv_max is None else f"{lesion.suv_max:g}"
    if suv_mean is not None:
        suv += f" (mean {suv_mean:g})"
    remarks = ""
    if a.waived or a.representative or a.ambiguities or a.notes:  # most lesions have none
        remarks = "; ".join([
            *(["waived under the overall score"] if a.waived else []),
            *([f"representative ({system.label})"] if a.representative else []),
            *(x.code for x in a.ambiguities),
            *a.notes,
        ])
    return Finding(
        lesion_id=lesion.lesion_id,
        site=lesion.site,
        organ_system=system.label,
        diameter=NOT_GIVEN if lesion.size_mm is None else f"{lesion.size_mm:g} mm",
        uptake=f"{int(uptake.level)} ({source})",
        suv_max=suv,
        correlate=_CORRELATE_TEXT[lesion.correlate],
        category=a.category.label,
        rule=a.rule,
        remarks=remarks,
        category_code=a.category.code,
    )


def _number(value: float | None, unit: str) -> str:
    return NOT_GIVEN if value is None else f"{value:g} {unit}"


def _date_time(value: str) -> str:
    """``2024-03-05 09:30 (+01:00)`` from a FHIR dateTime; a bare date stays a date."""
    if len(value) < 16:
        return value
    zone = value[19:].lstrip(".0123456789")
    zone = "UTC" if zone == "Z" else zone
    return f"{value[:10]} {value[11:16]}" + (f" ({zone})" if zone else "")
