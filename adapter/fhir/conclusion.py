"""The ten-second conclusion of the report (``DiagnosticReport.conclusion``, narrative, summary).

One statement per line, most important first: the overall score and the lesions carrying
it; each lesion with its category (a short study) or counts per category and the
representative lesions (a long one); every 3C/3D lesion with its work-up (Discussion: very
important categories); the PRRT recommendation with its caveat; the next steps of every
other category with their lesions and follow-up interval; waived 3A/3B lesions; missing
minimum data (Supplementary Table 1); the ambiguities with their AMB code and reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from adapter.domain import (
    Category,
    ContextItem,
    LesionAssessment,
    PrrtRecommendation,
    StudyAssessment,
)

PRRT_TEXT: dict[PrrtRecommendation, str] = {
    PrrtRecommendation.DEFINITELY_CONSIDER: "PRRT definitely to be considered",
    PrrtRecommendation.CONSIDER: "PRRT to be considered",
    PrrtRecommendation.COMBINED_WITH_LOCOREGIONAL:
        "combined PRRT and a locoregional procedure could be considered (single 3D lesion)",
    PrrtRecommendation.MAY_CONSIDER: "PRRT may be considered (several 3B lesions)",
    PrrtRecommendation.LOCOREGIONAL: "locoregional procedure for the single 3B lesion; "
                                     "PRRT not to be considered",
    PrrtRecommendation.RULED_OUT: "PRRT ruled out (several dedifferentiated 3D lesions)",
    PrrtRecommendation.NOT_CONSIDERED: "PRRT not to be considered",
}

CONTEXT_TEXT: dict[ContextItem, str] = {
    ContextItem.PRIMARY_TUMOUR: "primary tumour origin",
    ContextItem.BIOPSY_DATE: "date of tumour biopsy",
    ContextItem.KI67_OR_GRADE: "Ki-67 or grade",
    ContextItem.PRIMARY_DIAGNOSIS_DATE: "date of primary diagnosis",
    ContextItem.SYMPTOMS: "symptoms",
    ContextItem.PREVIOUS_THERAPIES: "previous therapies",
    ContextItem.PREVIOUS_IMAGING: "previous imaging",
    ContextItem.OTHER_MALIGNANCIES: "other malignancies",
    ContextItem.LABORATORY: "laboratory results",
    ContextItem.INJECTED_ACTIVITY: "injected activity",
    ContextItem.UPTAKE_TIME: "uptake time",
    ContextItem.FIELD_OF_VIEW: "field of view",
}

LISTED_LESIONS = 5
"""Up to this many lesions each is listed with its category; above, counts per category."""
_LISTED_IDS = 3
"""Lesion ids named on one statement before "and N more"."""
_SITE_CHARS = 32
"""Site descriptions longer than this are cut at a word on the lesions line."""
_WORK_UP = (Category.C3C, Category.C3D)
# Categories by rank, highest first: the order of the lesions and next-steps statements.
_BY_RANK = sorted(Category, key=lambda c: -c.rank)


def lesion_label(a: LesionAssessment) -> str:
    """``L2 (liver segment III)``: the tracking id and the full site description."""
    return f"{a.lesion.lesion_id} ({a.lesion.site})"


@dataclass(frozen=True, slots=True)
class Impression:
    """The statements of the impression; :meth:`lines` is the ten-second conclusion.

    The report model (:mod:`adapter.fhir.report_model`) shows the same statements in
    the narrative and the HTML, so conclusion and report cannot disagree.
    """

    overall: str
    lesions: str | None
    uptake_checks: tuple[str, ...]
    """Lesions whose reader level overrules SUVs that give another category."""
    work_up: tuple[str, ...]
    prrt: str
    caveat: str
    next_steps: tuple[str, ...]
    waived: str | None
    missing: tuple[str, ...]
    ambiguities: tuple[tuple[str, str], ...]
    """(policy code, reason), each once, study policies first."""

    def lines(self) -> list[str]:
        lines = [self.overall]
        if self.lesions:
            lines.append(self.lesions)
        if self.uptake_checks:
            checks = self.uptake_checks
            more = len(checks) - _LISTED_IDS
            lines.append("Uptake level to confirm: " + " ".join(checks[:_LISTED_IDS])
                         + (f" And {more} more (see the findings)." if more > 0 else ""))
        lines += self.work_up
        lines.append(f"{self.prrt} Caveat: {self.caveat}")
        if self.next_steps:
            lines.append("Next steps: " + " ".join(self.next_steps))
        if self.waived:
            lines.append(self.waived)
        if self.missing:
            lines.append("Missing minimum data: " + ", ".join(self.missing) + ".")
        if self.ambiguities:
            # Reasons hold semicolons and brackets: one sentence per ambiguity.
            lines.append("Ambiguities (adapter policy): "
                         + " ".join(f"{code}: {reason}." for code, reason in self.ambiguities))
        return lines


def impression(assessment: StudyAssessment) -> Impression:
    """The impression of a scored study, most important statement first."""
    by_id = {a.lesion.lesion_id: a for a in assessment.lesions}
    carrying = _names([lesion_label(by_id[i]) for i in assessment.carrying])
    work_up = []
    for lesion_id in assessment.work_up:
        a = by_id[lesion_id]
        steps = "; ".join([_lower_first(s.text) for s in a.next_steps])
        work_up.append(f"{a.category.label}: {lesion_label(a)}. Work-up: {steps}.")
    board = "; tumour-board review requested" if assessment.tumour_board else ""
    waived = [a for a in assessment.lesions if a.waived]
    ambiguities = [*assessment.ambiguities,
                   *(x for a in assessment.lesions for x in a.ambiguities)]
    return Impression(
        overall=f"Overall {assessment.overall.label}, carried by {carrying}.",
        lesions=_lesions_line(assessment) if len(assessment.lesions) > 1 else None,
        uptake_checks=tuple(_uptake_check(a) for a in assessment.lesions
                            if a.suv_category is not None),
        work_up=tuple(work_up),
        prrt=f"{_upper_first(PRRT_TEXT[assessment.prrt])}{board}.",
        caveat=assessment.prrt_caveat,
        next_steps=tuple(_next_steps(assessment)),
        waived=("Waived under the overall score: " + _names([_brief(a) for a in waived]) + "."
                if waived else None),
        missing=tuple([CONTEXT_TEXT[m] for m in assessment.missing]),
        ambiguities=tuple(dict.fromkeys((x.code, x.reason) for x in ambiguities)),
    )


def conclusion_lines(assessment: StudyAssessment) -> list[str]:
    """The conclusion, one statement per line, most important first."""
    return impression(assessment).lines()


def conclusion(assessment: StudyAssessment) -> str:
    return "\n".join(conclusion_lines(assessment))


def _uptake_check(a: LesionAssessment) -> str:
    """``L2 read as level 2, SUVs give level 3 (SSTR-RADS-4 by the SUVs, SSTR-RADS-3A as read).``"""
    uptake, by_suv = a.uptake, a.suv_category
    text = (f"{a.lesion.lesion_id} read as level {int(uptake.level)}, SUVs give level "
            f"{int(uptake.suv_level or 0)}")
    if by_suv is not None and by_suv is not a.category:
        return f"{text} ({by_suv.label} by the SUVs, {a.category.label} as read)."
    return f"{text} ({a.category.label} either way)."


def _lesions_line(assessment: StudyAssessment) -> str:
    """Each lesion with its category, or (a long study) counts and representative lesions."""
    lesions = assessment.lesions
    if len(lesions) <= LISTED_LESIONS:
        return "Lesions: " + ", ".join([_brief(a) for a in lesions]) + "."
    counts = Counter(a.category for a in lesions)
    parts = ", ".join(f"{counts[c]} {c.label}" for c in _BY_RANK if counts[c])
    line = f"Lesions ({len(lesions)}): {parts}."
    representatives = sorted((a for a in lesions if a.representative),
                             key=lambda a: -a.category.rank)
    if representatives:
        line += (" Representative per organ system: "
                 + ", ".join(_brief(a) for a in representatives) + ".")
    return line


def _next_steps(assessment: StudyAssessment) -> list[str]:
    """``SSTR-RADS-4 (L2): biopsy generally not necessary.`` per category, highest first.

    3C/3D have their own work-up statements; waived 3A/3B lesions need no step.
    """
    lesions: dict[Category, list[LesionAssessment]] = {}
    for a in assessment.lesions:
        if a.next_steps and not a.waived and a.category not in _WORK_UP:
            lesions.setdefault(a.category, []).append(a)
    out = []
    for category in _BY_RANK:
        members = lesions.get(category)
        if members:
            ids = _names([a.lesion.lesion_id for a in members])
            steps = "; ".join([_lower_first(s.text) for s in members[0].next_steps])
            out.append(f"{category.label} ({ids}): {steps}.")
    return out


def _brief(a: LesionAssessment) -> str:
    """``L2 SSTR-RADS-4 (liver segment III)``, the site cut short when long."""
    site = a.lesion.site
    if len(site) > _SITE_CHARS:
        site = site[:_SITE_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"
    return f"{a.lesion.lesion_id} {a.category.label} ({site})"


def _names(names: list[str]) -> str:
    if len(names) <= _LISTED_IDS:
        return ", ".join(names)
    return f"{', '.join(names[:_LISTED_IDS])} and {len(names) - _LISTED_IDS} more"


def _lower_first(text: str) -> str:
    # Step texts start with a capital; an acronym (SSTR-PET, 18F-FDG) keeps its case.
    if (len(text) > 1 and text[1].isupper()) or text[:1].isdigit():
        return text
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
