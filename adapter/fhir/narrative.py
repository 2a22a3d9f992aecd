"""Words for people: the xhtml narrative, the HTML report and the CLI summary.

The narrative (``DiagnosticReport.text.div``) and the HTML ``presentedForm`` render the
same :class:`~adapter.fhir.report_model.ReportModel` with the same section markup: the
narrative keeps to FHIR's xhtml subset (``div``, ``h1``-``h3``, ``p``, ``dl``, ``ul``,
``table``; ``class``/``scope`` attributes; no style element, no script, no event attribute),
the HTML page wraps the sections in ``header``/``main``/``section``/``footer`` and adds its
own style sheet (screen and A4 print). Neither loads anything from outside.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from html import escape
from itertools import chain

from adapter import __version__
from adapter.domain import RULES_VERSION, StudyAssessment
from adapter.fhir.conclusion import conclusion_lines
from adapter.fhir.report_model import (
    FINDINGS_HEADER,
    SHY,
    TITLE,
    Finding,
    Item,
    ReportModel,
    findings,
)

XHTML_NS = "http://www.w3.org/1999/xhtml"
SECTIONS = (
    ("clinical-information", "Clinical information"),
    ("technique", "Technique"),
    ("reference-regions", "Reference regions"),
    ("findings", "Findings"),
    ("impression", "Impression"),
)
"""(id, heading) of every section, in order."""

# Relative column widths of the findings table (per cent, sum 100): A4 portrait fits all.
_WIDTHS = (8, 13, 9, 9, 10, 9, 11, 10, 9, 12)
_COLGROUP = "<colgroup>" + "".join(f'<col style="width:{w}%"/>' for w in _WIDTHS) + "</colgroup>"
_HEAD = ("<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in FINDINGS_HEADER)
         + "</tr></thead>")
_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff"
_NOT_XML_CHARS = re.compile(f"[{_NOT_XML}]")
"""Characters XML 1.0 does not allow: replaced by U+FFFD so the xhtml stays well-formed."""
_MARKUP = re.compile(f"[&<>{_NOT_XML}]")
"""What text content needs escaped (attribute values are fixed codes: quotes stay)."""


def _texts(model: ReportModel) -> Iterator[str]:
    # Items, findings and ambiguities are tuples of texts: chained, not looped over in Python.
    imp = model.impression
    return chain(
        (model.title, model.study_date, model.overall, model.overall_code, imp.overall,
         imp.lesions or "", imp.prrt, imp.caveat, imp.waived or ""),
        *map(chain.from_iterable, (model.clinical, model.technique, model.reference,
                                   model.findings, imp.ambiguities)),
        imp.uptake_checks, imp.work_up, imp.next_steps, imp.missing,
    )


_ASCII_NOT_XML = bytes(c for c in range(0x20) if c not in b"\t\n\r")


def _needs_escaping(text: str) -> bool:
    """``_MARKUP.search(text)``, answered by C string methods in the usual case: a regular
    expression scans some 8 ns a character. Without its soft hyphens (the findings table's)
    the text is usually ASCII: then only the control characters need looking for. Else every
    character XML does not allow is one that ``str.isprintable`` refuses (a control, a
    surrogate or a non-character)."""
    if "&" in text or "<" in text or ">" in text:
        return True
    plain = text.replace(SHY, "")
    if plain.isascii():
        data = plain.encode("ascii")
        return len(data.translate(None, _ASCII_NOT_XML)) != len(data)
    return not plain.isprintable() and _MARKUP.search(text) is not None


def _escaped(model: ReportModel) -> ReportModel:
    """The model with every text escaped for element content; itself when (as usual) none
    needs it. Only ``category_code`` (a fixed code) goes into an attribute."""
    if not _needs_escaping(" ".join(_texts(model))):
        return model

    def e(text: str) -> str:
        return escape(_NOT_XML_CHARS.sub("\ufffd", text), quote=False)

    def items(values: tuple[Item, ...]) -> tuple[Item, ...]:
        return tuple([(e(label), e(value)) for label, value in values])

    imp = model.impression
    return replace(
        model, title=e(model.title), study_date=e(model.study_date),
        clinical=items(model.clinical), technique=items(model.technique),
        reference=items(model.reference),
        findings=tuple(f.mapped(e) for f in model.findings),
        impression=replace(
            imp, overall=e(imp.overall), uptake_checks=tuple(map(e, imp.uptake_checks)),
            work_up=tuple(map(e, imp.work_up)), prrt=e(imp.prrt), caveat=e(imp.caveat),
            next_steps=tuple(map(e, imp.next_steps)),
            waived=e(imp.waived) if imp.waived else None, missing=tuple(map(e, imp.missing)),
            ambiguities=tuple((e(c), e(r)) for c, r in imp.ambiguities)),
    )


def _items(items: Iterable[Item], css: str = "items") -> str:
    body = "".join([f"<dt>{label}</dt><dd>{value}</dd>" for label, value in items])
    return f'<dl class="{css}">{body}</dl>'


def _list(texts: Iterable[str], css: str) -> str:
    return f'<ul class="{css}">' + "".join([f"<li>{t}</li>" for t in texts]) + "</ul>"


def _row(f: Finding) -> str:
    """One findings row: the cells in :data:`FINDINGS_HEADER` order (the lesion id heads the
    row), styled by the category code. One f-string: ``str.format`` parses its template on
    every call, a join over the cells builds a string per cell."""
    return (f'<tr class="cat-{f.category_code}"><th scope="row">{f.lesion_id}</th>'
            f"<td>{f.site}</td><td>{f.organ_system}</td><td>{f.diameter}</td>"
            f"<td>{f.uptake}</td><td>{f.suv_max}</td><td>{f.correlate}</td>"
            f"<td>{f.category}</td><td>{f.rule}</td><td>{f.remarks}</td></tr>")


def _findings_table(model: ReportModel) -> str:
    rows = "".join([_row(f) for f in model.findings])
    caption = f"{len(model.findings)} lesion{'s' if len(model.findings) != 1 else ''}"
    return (f'<table class="findings"><caption>{caption}</caption>{_COLGROUP}{_HEAD}'
            f"<tbody>{rows}</tbody></table>")


def _impression(model: ReportModel) -> str:
    imp = model.impression
    parts = [f'<p class="overall"><strong>{imp.overall}</strong></p>']
    if imp.uptake_checks:
        parts.append('<p class="check"><strong>Uptake level to confirm</strong> (the reader\'s '
                     "level is used):</p>" + _list(imp.uptake_checks, "checks"))
    if imp.work_up:
        parts.append("<h3>Work-up (SSTR-RADS-3C/3D)</h3>" + _list(imp.work_up, "work-up"))
    parts.append(f'<p class="prrt"><strong>{imp.prrt}</strong></p>'
                 f'<p class="caveat">Caveat: {imp.caveat}</p>')
    if imp.next_steps:
        parts.append("<h3>Next steps</h3>" + _list(imp.next_steps, "steps"))
    if imp.waived:
        parts.append(f'<p class="waived">{imp.waived}</p>')
    missing = ", ".join(imp.missing) + "." if imp.missing else "none."
    parts.append(f'<p class="missing"><strong>Missing minimum data</strong> (Suppl. Table 1): '
                 f"{missing}</p>")
    if imp.ambiguities:
        parts.append("<h3>Policies applied where the paper is silent</h3>"
                     + _items(imp.ambiguities, "policies"))
    return "".join(parts)


def _section_bodies(model: ReportModel) -> dict[str, str]:
    clinical = (_items(model.clinical) if model.clinical
                else "<p>No clinical information given.</p>")
    return {
        "clinical-information": clinical,
        "technique": _items(model.technique),
        "reference-regions": _items(model.reference),
        "findings": _findings_table(model),
        "impression": _impression(model),
    }


def _summary(model: ReportModel) -> str:
    return (f'<p class="summary"><span class="badge cat-{model.overall_code}">'
            f"{model.overall}</span> <span>{model.impression.prrt}</span>"
            f' <span class="date">Study {model.study_date}</span></p>')


_FOOTER = escape(
    f"sstr-adapter {__version__}, {RULES_VERSION}. Every category names the rule of the paper "
    "(Werner et al., SSTR-RADS 1.0) that decided it; AMB- codes are the adapter's documented "
    "policies.", quote=False)


def narrative_div(model: ReportModel) -> str:
    """The DiagnosticReport's ``text.div`` (FHIR narrative xhtml)."""
    return _narrative(*_parts(model))


def _parts(model: ReportModel) -> tuple[ReportModel, dict[str, str]]:
    escaped = _escaped(model)
    return escaped, _section_bodies(escaped)


def _narrative(model: ReportModel, bodies: dict[str, str]) -> str:
    sections = "".join(f'<div class="section" id="{sid}"><h2>{title}</h2>{bodies[sid]}</div>'
                       for sid, title in SECTIONS)
    return (f'<div xmlns="{XHTML_NS}"><h1>{model.title}</h1>{_summary(model)}{sections}'
            f'<p class="footer">{_FOOTER}</p></div>')


_STYLE = """
@page{size:A4;margin:14mm 13mm 16mm}
html{font:10pt/1.4 "Liberation Sans","DejaVu Sans",Arial,Helvetica,sans-serif;color:#111;
background:#fff}
body{margin:0}
main{box-sizing:border-box;max-width:184mm;margin:0 auto;padding:6mm 5mm}
header{border-bottom:2px solid #1f3a5f;padding-bottom:2mm;margin-bottom:3mm}
h1{font-size:16pt;margin:0 0 1.5mm;color:#1f3a5f}
h2{font-size:12pt;color:#1f3a5f;border-bottom:1px solid #c8d1dc;margin:5mm 0 2mm;
padding-bottom:.5mm;break-after:avoid}
h3{font-size:10.5pt;margin:3mm 0 1mm;break-after:avoid}
p{margin:1mm 0}
.summary{margin:0;font-size:11pt}
.badge{display:inline-block;font-weight:700;border:2px solid #1f3a5f;border-radius:1.5mm;
padding:.3mm 2mm;margin-right:2mm}
.badge.cat-4,.badge.cat-5{border-color:#8a1c1c;color:#8a1c1c}
.badge.cat-3A,.badge.cat-3B,.badge.cat-3C,.badge.cat-3D{border-color:#8a5a00;color:#8a5a00}
.date{color:#444;font-size:9.5pt;margin-left:2mm}
dl.items,dl.policies{display:grid;grid-template-columns:44mm minmax(0,1fr);gap:.8mm 4mm;
margin:0}
dl.policies{grid-template-columns:minmax(0,62mm) minmax(0,1fr);font-size:9pt}
dt{font-weight:600;overflow-wrap:anywhere}
dd{margin:0;overflow-wrap:anywhere}
table.findings{width:100%;border-collapse:collapse;table-layout:fixed;font-size:8.2pt}
caption{text-align:left;color:#444;font-size:9pt;padding-bottom:1mm}
th,td{border:1px solid #b9c4d0;padding:.8mm 1mm;vertical-align:top;text-align:left;
overflow-wrap:anywhere;hyphens:auto}
thead th{background:#eef2f6;font-size:7.4pt;padding:.8mm .7mm;overflow-wrap:break-word;
hyphens:manual}
thead{display:table-header-group}
tr{break-inside:avoid}
tr.cat-4 td:nth-child(8),tr.cat-5 td:nth-child(8){font-weight:700;color:#8a1c1c}
ul{margin:0;padding-left:5mm}
.caveat{font-size:9pt;color:#333}
.check{color:#8a1c1c}
footer{margin-top:6mm;border-top:1px solid #c8d1dc;padding-top:1.5mm;font-size:8pt;color:#555}
@media print{main{max-width:none;padding:0}section{break-inside:auto}}
@media screen and (max-width:600px){dl.items,dl.policies{grid-template-columns:1fr}}
"""
_STYLE_ONE_LINE = re.sub(r"\n", "", _STYLE)


def html_document(model: ReportModel) -> str:
    """The ``presentedForm`` page: self-contained HTML (inline style sheet, no script)."""
    return _html(*_parts(model))


def render_report(model: ReportModel) -> tuple[str, str]:
    """The narrative div and the HTML page of ``model``, sharing one rendering."""
    escaped, bodies = _parts(model)
    return _narrative(escaped, bodies), _html(escaped, bodies)


def _html(model: ReportModel, bodies: dict[str, str]) -> str:
    sections = "".join(
        f'<section id="{sid}" aria-labelledby="{sid}-h"><h2 id="{sid}-h">{title}</h2>'
        f"{bodies[sid]}</section>" for sid, title in SECTIONS)
    return (f"{_page_head(model.title)}<main><header><h1>{model.title}</h1>{_summary(model)}"
            f"</header>{sections}<footer>{_FOOTER}</footer></main></body></html>")


def _page_head(title: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
            f"<title>{title}</title><style>{_STYLE_ONE_LINE}</style></head><body>")


# The head of every page (title and style sheet, ASCII), cut to whole groups of three bytes:
# its base64 is the beginning of every page's, computed once.
_PAGE_HEAD = _page_head(TITLE)[:len(_page_head(TITLE)) // 3 * 3]
_PAGE_HEAD_BASE64 = base64.b64encode(_PAGE_HEAD.encode("ascii")).decode("ascii")


def page_base64(page: str) -> str:
    """``base64(page as UTF-8)``, the ``presentedForm`` data."""
    if page.startswith(_PAGE_HEAD):
        rest = page[len(_PAGE_HEAD):].encode()
        return _PAGE_HEAD_BASE64 + base64.b64encode(rest).decode("ascii")
    return base64.b64encode(page.encode()).decode("ascii")


def summary_text(assessment: StudyAssessment) -> str:
    """A one-screen plain-text summary (CLI ``--summary``)."""
    shown = (0, 1, 2, 3, 4, 5, 7, 8)
    rows: list[Sequence[str]] = [[FINDINGS_HEADER[i] for i in shown],
                                 *([f.cells()[i] for i in shown] for f in findings(assessment))]
    widths = [max(len(r[i]) for r in rows) for i in range(len(shown))]
    table = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    return ("\n".join([*table, "", *conclusion_lines(assessment)]) + "\n").replace(SHY, "")
