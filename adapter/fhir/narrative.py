"""Words for people: the ten-second conclusion, the xhtml narrative and the HTML report.

The conclusion leads with the overall score and the lesions carrying it, then every
3C/3D lesion (Discussion: very important categories), the PRRT recommendation with its
caveat, next steps, missing minimum data (Supplementary Table 1) and ambiguities.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from adapter.domain import (
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

XHTML_NS = "http://www.w3.org/1999/xhtml"


def lesion_label(a: LesionAssessment) -> str:
    return f"{a.lesion.lesion_id} ({a.lesion.site})"


def conclusion_lines(assessment: StudyAssessment) -> list[str]:
    """The conclusion, one statement per line, most important first."""
    by_id = {a.lesion.lesion_id: a for a in assessment.lesions}
    carrying = ", ".join(lesion_label(by_id[i]) for i in assessment.carrying)
    lines = [f"Overall {assessment.overall.label}, carried by {carrying}."]
    for lesion_id in assessment.work_up:
        a = by_id[lesion_id]
        steps = "; ".join(s.text for s in a.next_steps)
        lines.append(f"{a.category.label}: {lesion_label(a)}. Work-up: {steps}.")
    lines.append(f"PRRT: {PRRT_TEXT[assessment.prrt]}. Caveat: {assessment.prrt_caveat}")
    if assessment.tumour_board:
        lines.append("PRRT tumour-board review requested.")
    # Steps already named on a 3C/3D work-up line are not repeated.
    shown = {s.text for i in assessment.work_up for s in by_id[i].next_steps}
    remaining = [s.text for s in assessment.next_steps if s.text not in shown]
    if remaining:
        lines.append("Next steps: " + "; ".join(remaining) + ".")
    waived = [lesion_label(a) for a in assessment.lesions if a.waived]
    if waived:
        lines.append(f"3A/3B findings waived under the overall score: {', '.join(waived)}.")
    if assessment.missing:
        lines.append("Missing minimum data: "
                     + ", ".join(CONTEXT_TEXT[m] for m in assessment.missing) + ".")
    ambiguities = [*assessment.ambiguities,
                   *(x for a in assessment.lesions for x in a.ambiguities)]
    if ambiguities:
        seen: dict[str, str] = {}
        for amb in ambiguities:
            seen.setdefault(f"{amb.code}: {amb.reason}", amb.code)
        lines.append("Ambiguities (adapter policy): " + "; ".join(seen) + ".")
    return lines


def conclusion(assessment: StudyAssessment) -> str:
    return "\n".join(conclusion_lines(assessment))


TABLE_HEADER = ("Lesion", "Site", "Uptake level", "SUVmax", "Anatomic correlate", "Category",
                "Rule", "Remarks")


def table_rows(assessment: StudyAssessment) -> list[tuple[str, ...]]:
    """One row per lesion: the lesion table of the narrative and of the CLI summary."""
    rows: list[tuple[str, ...]] = []
    for a in assessment.lesions:
        lesion = a.lesion
        remarks = [*(["waived"] if a.waived else []),
                   *(["representative"] if a.representative else []),
                   *(x.code for x in a.ambiguities), *a.notes]
        rows.append((
            lesion.lesion_id,
            lesion.site,
            f"{int(a.uptake.level)} ({a.uptake.source.value})",
            "" if lesion.suv_max is None else f"{lesion.suv_max:g}",
            lesion.correlate.value,
            a.category.label,
            a.rule,
            ", ".join(remarks),
        ))
    return rows


_HEAD = "".join(f"<th>{escape(h)}</th>" for h in TABLE_HEADER)
_MARKUP = re.compile(r"[&<>\"']")
"""What :func:`html.escape` changes: a text without any of these is its own escape."""


def _escaped(texts: Sequence[str]) -> Sequence[str]:
    """``html.escape`` of each text; one scan of them all when (as usual) none needs it."""
    if _MARKUP.search("".join(texts)) is None:
        return texts
    return [escape(t) for t in texts]


def narrative_div(assessment: StudyAssessment, lines: Sequence[str] | None = None) -> str:
    """The DiagnosticReport's ``text.div``: conclusion paragraphs and the lesion table.

    ``lines`` are the :func:`conclusion_lines` when the caller already has them.
    """
    if lines is None:
        lines = conclusion_lines(assessment)
    paragraphs = "".join(f"<p>{line}</p>" for line in _escaped(lines))
    cells = _escaped([cell for row in table_rows(assessment) for cell in row])
    width = len(TABLE_HEADER)
    body = "".join("<tr><td>" + "</td><td>".join(cells[i:i + width]) + "</td></tr>"
                   for i in range(0, len(cells), width))
    return (f'<div xmlns="{XHTML_NS}"><h1>SSTR-RADS 1.0 report</h1>{paragraphs}'
            f"<table><thead><tr>{_HEAD}</tr></thead><tbody>{body}</tbody></table></div>")


def html_document(div: str) -> str:
    """The ``presentedForm`` HTML page around the narrative."""
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/>'
            f"<title>SSTR-RADS 1.0 report</title></head><body>{div}</body></html>")


def summary_text(assessment: StudyAssessment) -> str:
    """A one-screen plain-text summary (CLI ``--summary``)."""
    rows = [TABLE_HEADER[:7], *(r[:7] for r in table_rows(assessment))]
    widths = [max(len(r[i]) for r in rows) for i in range(7)]
    table = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    return "\n".join([*table, "", *conclusion_lines(assessment)]) + "\n"
