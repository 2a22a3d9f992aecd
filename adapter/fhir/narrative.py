"""Words for people: the xhtml narrative, the HTML report and the CLI summary.

Each shows the conclusion (:mod:`adapter.fhir.conclusion`) and the lesion table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from adapter.domain import StudyAssessment
from adapter.fhir.conclusion import conclusion_lines

XHTML_NS = "http://www.w3.org/1999/xhtml"


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
