"""The report a physician reads: one model behind conclusion, narrative and HTML."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from adapter.domain import AnatomicCorrelate, Grade, Progression, SiteClass, score_study
from adapter.fhir import narrative
from adapter.fhir.narrative import SECTIONS
from adapter.fhir.parse import parse_message
from adapter.fhir.report_model import FINDINGS_HEADER, TITLE, build_report
from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import Processed
from adapter.tools.examples import FIGURES, REFERENCE, input_path
from adapter.tools.synthetic import LesionSpec, MessageSpec, build_bundle
from tests.fhir.conftest import report_of, resources

XHTML = "{http://www.w3.org/1999/xhtml}"
EXAMPLES = [*FIGURES, REFERENCE]

# FHIR R4 narrative (xhtml data type): the elements and attributes it allows.
NARRATIVE_ELEMENTS = {
    "a", "abbr", "acronym", "b", "big", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "li", "ol", "p", "pre", "q", "samp", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "ul", "var",
}
NARRATIVE_ATTRIBUTES = {
    "abbr", "accesskey", "align", "alt", "axis", "bgcolor", "border", "cellhalign",
    "cellpadding", "cellspacing", "cellvalign", "char", "charoff", "charpos", "choff", "class",
    "cols", "colspan", "compact", "coords", "dir", "frame", "headers", "height", "href",
    "hreflang", "hspace", "id", "lang", "longdesc", "name", "nowrap", "rel", "repeat", "rev",
    "rows", "rowspan", "rules", "scope", "shape", "span", "src", "start", "style", "summary",
    "tabindex", "title", "type", "valign", "value", "vspace", "width",
}


def _report(doc: dict[str, Any] | bytes) -> dict[str, Any]:
    return resources(report_of(doc), "DiagnosticReport")[0]


def _example(name: str) -> dict[str, Any]:
    return _report(input_path(name).read_bytes())


def _html(report: dict[str, Any]) -> str:
    return base64.b64decode(report["presentedForm"][0]["data"]).decode("utf-8")


def _rows(div: ET.Element) -> list[dict[str, str]]:
    rows = div.findall(f".//{XHTML}tbody/{XHTML}tr")
    return [dict(zip(FINDINGS_HEADER, ("".join(c.itertext()) for c in row), strict=True))
            for row in rows]


def _text(element: ET.Element) -> str:
    return re.sub(r"\s+", " ", " ".join(element.itertext()))


def _section(div: ET.Element, sid: str) -> str:
    found = div.find(f".//{XHTML}div[@id='{sid}']")
    assert found is not None, sid
    return _text(found)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_report_shows_history_technique_reference_and_lesion_facts(
    name: str,
) -> None:
    div = ET.fromstring(_example(name)["text"]["div"])

    headings = [h.text for h in div.iter(f"{XHTML}h2")]
    assert headings == [title for _, title in SECTIONS]
    technique = _section(div, "technique")
    for label in ("Radiopharmaceutical", "Injected activity", "Uptake time", "Field of view",
                  "Study date"):
        assert label in technique
    assert "68Ga-" in technique and "150 MBq" in technique and "60 min" in technique
    reference = _section(div, "reference-regions")
    assert "Liver SUVmean" in reference and "Blood-pool SUVmean" in reference
    for row in _rows(div):
        assert row["Organ system"] and row["Max. diameter"] and row["SUVmax"]
        assert row["Category"].startswith("SSTR-RADS-") and row["Deciding rule"]


def test_the_clinical_information_lists_the_history_items_that_were_given() -> None:
    spec = MessageSpec("history", (LesionSpec(
        "L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING,
        level=3, suv_max=12.0, size_mm=20.0),),
        grade=Grade.G2, ki67=5.0, biopsy_date="2023-11-02", diagnosis_date="2023-10-20",
        symptoms="flushing, diarrhoea", therapies=("ssa",), previous_imaging="CT 2023-10",
        other_malignancies="none", laboratory="CgA 230 ng/ml")

    div = ET.fromstring(_report(build_bundle(spec))["text"]["div"])

    clinical = _section(div, "clinical-information")
    for text in ("Malignant neuroendocrine tumour", "biopsy 2023-11-02", "grade G2",
                 "Ki-67 5 %", "2023-10-20", "flushing, diarrhoea",
                 "somatostatin analogues (SSA)", "CT 2023-10", "CgA 230 ng/ml"):
        assert text in clinical
    assert "Missing minimum data (Suppl. Table 1): none." in _section(div, "impression")


def test_a_report_without_history_says_so_and_lists_what_is_missing() -> None:
    spec = MessageSpec("no-history", (LesionSpec(
        "L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING,
        level=3, suv_max=12.0, size_mm=20.0),), primary_tumour=None, injected_mbq=None)

    div = ET.fromstring(_report(build_bundle(spec))["text"]["div"])

    assert "No clinical information given." in _section(div, "clinical-information")
    assert "Injected activity not given" in _section(div, "technique")
    assert "primary tumour origin" in _section(div, "impression")


def test_figure_10_teaches_suvs_without_a_level_fine_anatomy_and_a_given_organ_system() -> None:
    rows = {r["Lesion"]: r for r in _rows(ET.fromstring(_example("figure-10")["text"]["div"]))}

    assert rows["L2"]["Uptake level"] == "3 (from SUVmax)"
    assert rows["L2"]["Organ system"] == "liver", "Couinaud segment III is the liver"
    assert rows["L2"]["SUVmax"] == "12.5"
    assert rows["L3"]["Organ system"] == "lymph nodes"
    assert rows["L3"]["Max. diameter"] == "18 mm"


def test_a_lesion_suvmean_is_shown_beside_its_suvmax() -> None:
    spec = MessageSpec("suv-mean", (LesionSpec(
        "L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING,
        level=3, suv_max=12.0, suv_mean=7.25, size_mm=20.0),))

    rows = _rows(ET.fromstring(_report(build_bundle(spec))["text"]["div"]))

    assert rows[0]["SUVmax"] == "12 (mean 7.25)"


def test_conclusion_narrative_and_html_state_the_same_impression() -> None:
    report = _example("figure-10")
    div = ET.fromstring(report["text"]["div"])
    page = ET.fromstring(_html(report).removeprefix("<!DOCTYPE html>"))

    impression = _section(div, "impression")
    html_impression = _text(next(s for s in page.iter("section") if s.get("id") == "impression"))
    assert impression == html_impression
    lines = report["conclusion"].splitlines()
    statements = [lines[0], lines[2].split(" Caveat:")[0],
                  *re.findall(r"SSTR-RADS-\d[A-D]? \([^)]*\): [^.]*\.", lines[3])]
    assert len(statements) == 4
    for statement in statements:
        assert statement in impression


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_narrative_keeps_to_fhir_xhtml(name: str) -> None:
    div = ET.fromstring(_example(name)["text"]["div"])

    elements = {e.tag.removeprefix(XHTML) for e in div.iter()}
    attributes = {a for e in div.iter() for a in e.attrib}
    assert all(e.tag.startswith(XHTML) for e in div.iter())
    assert elements <= NARRATIVE_ELEMENTS
    assert attributes <= NARRATIVE_ATTRIBUTES
    assert div.find(f".//{XHTML}tbody") is not None


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_html_report_is_self_contained_without_scripts(name: str) -> None:
    page = _html(_example(name))

    assert page.startswith("<!DOCTYPE html>")
    ET.fromstring(page.removeprefix("<!DOCTYPE html>"))  # well-formed
    assert not re.search(r"<script|<link|<iframe|<object|<embed|<img|@import|url\(", page)
    assert not re.search(r"\son[a-z]+\s*=", page), "no event attributes"
    assert not re.search(r"(?:src|href)\s*=", page), "nothing loaded or linked"
    assert "@media print" in page and "@page{size:A4" in page


def test_markup_in_history_texts_is_escaped_in_both_renderings() -> None:
    spec = MessageSpec("markup", (LesionSpec(
        "L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING,
        level=3, suv_max=12.0, size_mm=20.0),), symptoms="<script>alert(1)</script> & more")

    report = _report(build_bundle(spec))

    for text in (report["text"]["div"], _html(report)):
        assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text


def test_characters_xml_forbids_in_a_history_text_are_refused_before_the_report() -> None:
    # A history text the answer repeats only in the narrative and the HTML: the read edge
    # refuses it by name (the narrative's own escaping is a second guard, tested above).
    spec = MessageSpec("control", (LesionSpec(
        "L1", "liver segment II", "277956007", SiteClass.TYPICAL_SOFT_TISSUE,
        AnatomicCorrelate.CORRESPONDING, level=3, suv_max=12.0, size_mm=20.0),),
        symptoms="flushing\x02 and\ufffe diarrhoea")

    outcome = ScoringPipeline()(orjson.dumps(build_bundle(spec)))

    assert not isinstance(outcome, Processed)
    issues = orjson.loads(outcome.outcome)["issue"]
    assert any(i["expression"][0].endswith(".valueString") for i in issues)
    assert b"flushing" not in outcome.outcome


NODE = dict(site_class=SiteClass.TYPICAL_SOFT_TISSUE, correlate=AnatomicCorrelate.CORRESPONDING,
            level=3)


def test_fine_grained_anatomy_over_fhir_marks_one_representative_per_organ_system() -> None:
    lesions = (
        LesionSpec("S2", "liver segment II", "277956007", suv_max=14.0, **NODE),  # type: ignore[arg-type]
        LesionSpec("S6", "liver segment VI", "277960005", suv_max=22.0, **NODE),  # type: ignore[arg-type]
        LesionSpec("S8", "liver segment VIII", "277962002", suv_max=18.0, **NODE),  # type: ignore[arg-type]
        LesionSpec("N1", "mesenteric node", "279795009", suv_max=16.0, **NODE),  # type: ignore[arg-type]
        LesionSpec("N2", "retroperitoneal node", "91394001", suv_max=25.0, **NODE),  # type: ignore[arg-type]
        LesionSpec("N3", "node at the liver hilum", "61492009", suv_max=9.0, **NODE),  # type: ignore[arg-type]
        LesionSpec("B1", "T8 vertebral body", "11068009", SiteClass.BONE_NOT_ATYPICAL,
                   AnatomicCorrelate.CORRESPONDING, level=3, suv_max=11.0),
    )

    div = ET.fromstring(_report(build_bundle(MessageSpec("fine", lesions)))["text"]["div"])

    marked = {r["Lesion"]: r["Remarks"] for r in _rows(div) if "representative" in r["Remarks"]}
    assert set(marked) == {"S6", "N2", "B1"}
    assert "representative (lymph nodes)" in marked["N2"]


def test_a_reader_level_the_suvs_contradict_is_named_in_the_conclusion() -> None:
    node = LesionSpec("L1", "mesenteric lymph node", "279795009", SiteClass.TYPICAL_SOFT_TISSUE,
                      AnatomicCorrelate.NONE, level=2, suv_max=9.0, size_mm=12.0)

    report = _report(build_bundle(MessageSpec("disagree", (node,), grade=Grade.G1)))

    assert ("Uptake level to confirm: L1 read as level 2, SUVs give level 3 "
            "(SSTR-RADS-4 by the SUVs, SSTR-RADS-3A as read).") in report["conclusion"]


def test_the_conclusion_names_at_most_three_uptake_levels_to_confirm() -> None:
    nodes = tuple(LesionSpec(f"L{i}", "mesenteric lymph node", "279795009",
                             SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.NONE, level=2,
                             suv_max=9.0) for i in range(1, 6))

    report = _report(build_bundle(MessageSpec("disagree-5", nodes, grade=Grade.G1)))

    line = next(x for x in report["conclusion"].splitlines() if x.startswith("Uptake level"))
    assert line.count("read as level 2") == 3 and line.endswith("And 2 more (see the findings).")
    div = ET.fromstring(report["text"]["div"])
    assert _section(div, "impression").count("read as level 2") == 5


def test_a_waived_lesion_names_no_follow_up_policy_in_the_conclusion() -> None:
    liver = LesionSpec("L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE,
                       AnatomicCorrelate.CORRESPONDING, level=3, suv_max=12.0, size_mm=20.0)
    node = LesionSpec("L2", "mesenteric lymph node", "279795009", SiteClass.TYPICAL_SOFT_TISSUE,
                      AnatomicCorrelate.NONE, level=2, suv_max=3.0)

    report = _report(build_bundle(MessageSpec("waived", (liver, node), grade=None)))

    assert "AMB-PROLIFERATION-UNKNOWN" not in report["conclusion"]
    assert "3 months" not in report["conclusion"]
    assert "Waived under the overall score: L2 SSTR-RADS-3A" in report["conclusion"]


def test_a_progression_upgrade_names_its_policy_on_the_lesion() -> None:
    node = LesionSpec("L1", "mesenteric lymph node", "279795009", SiteClass.TYPICAL_SOFT_TISSUE,
                      AnatomicCorrelate.NONE, level=2, suv_max=3.0,
                      progression=Progression.PROGRESSED)

    report = _report(build_bundle(MessageSpec("progressed", (node,))))

    assert "AMB-PROGRESSION-UPGRADE: progressed SSTR-RADS-3A lesion upgraded to SSTR-RADS-4" \
        in report["conclusion"]


@pytest.mark.parametrize(
    "quantity",
    [{"value": 7.0, "comparator": "<", "unit": "g/ml{SUVbw}"}, {"value": True}, {"value": "7"},
     {"value": -1.0}, "7.0"],
    ids=["comparator", "boolean", "string", "negative", "not-a-quantity"],
)
def test_a_suvmean_that_is_not_a_measured_number_is_refused_by_name(quantity: Any) -> None:
    spec = MessageSpec("suv-mean-bad", (LesionSpec(
        "L1", "liver", "10200004", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING,
        level=3, suv_max=12.0, suv_mean=7.0, size_mm=20.0),))
    doc = build_bundle(spec)
    finding = next(e["resource"] for e in doc["entry"]
                   if e["resource"]["resourceType"] == "Observation"
                   and any(c.get("code", {}).get("text") == "SUVmean"
                           for c in e["resource"].get("component", [])))
    mean = next(c for c in finding["component"] if c["code"].get("text") == "SUVmean")
    mean["valueQuantity"] = quantity

    outcome = ScoringPipeline()(orjson.dumps(doc))

    assert not isinstance(outcome, Processed)
    expressions = [i["expression"][0] for i in orjson.loads(outcome.outcome)["issue"]]
    assert any(".valueQuantity" in e for e in expressions), expressions


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
                max_size=80).filter(lambda t: t.strip() == t and t.strip() != "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(site=_TEXT, history=_TEXT)
def test_any_sender_text_gives_a_well_formed_narrative_within_fhir_xhtml(
    site: str, history: str
) -> None:
    spec = MessageSpec("texts", (LesionSpec(
        "L1", site, "10200004", SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING,
        level=3, suv_max=12.0, size_mm=20.0),), symptoms=history, previous_imaging=history)

    outcome = ScoringPipeline()(orjson.dumps(build_bundle(spec)))
    assume(isinstance(outcome, Processed))  # texts the reader rejects (blank to it) are not ours
    assert isinstance(outcome, Processed)
    report = resources(orjson.loads(outcome.outputs[0].body), "DiagnosticReport")[0]

    div = ET.fromstring(report["text"]["div"])
    assert {e.tag.removeprefix(XHTML) for e in div.iter()} <= NARRATIVE_ELEMENTS
    page = ET.fromstring(_html(report).removeprefix("<!DOCTYPE html>"))
    assert next(c.text for c in page.iter("td")) == site
    assert re.sub(r"\s+", " ", history) in _section(div, "clinical-information")


def test_a_report_without_markup_is_rendered_from_the_model_itself() -> None:
    # The fast path: one scan finds nothing to escape, so no escaped copy is built.
    parsed = parse_message(input_path("reference-5-lesions").read_bytes())
    assessment = score_study(parsed.study)
    context, reference = parsed.study.context, parsed.study.reference

    model = build_report(assessment, context, reference, parsed.report_inputs, parsed.started)
    marked = build_report(assessment, context, reference, parsed.report_inputs, "2024 <b>")

    assert narrative._escaped(model) is model
    assert narrative._escaped(marked).study_date == "2024 &lt;b&gt;"


def test_every_character_xml_does_not_allow_is_one_isprintable_refuses() -> None:
    # narrative._needs_escaping relies on it to skip the regular expression.
    refused = (c for c in map(chr, range(0x110000)) if narrative._NOT_XML_CHARS.match(c))

    assert not any(c.isprintable() for c in refused)


@given(st.text() | st.text(alphabet=st.characters(max_codepoint=0x7F)).map(
    lambda text: text.replace("a", "\u00ad")))
@example("corre\u00adsponding\x1f")
@example("corre\u00adsponding\t")
@example("\u2026\ufffe")
def test_the_quick_escaping_check_agrees_with_the_markup_expression(text: str) -> None:
    assert narrative._needs_escaping(text) == (narrative._MARKUP.search(text) is not None)


@given(st.text(), st.booleans())
def test_the_page_base64_is_the_base64_of_the_whole_page(tail: str, with_head: bool) -> None:
    page = (narrative._page_head(TITLE) if with_head else "") + tail

    assert narrative.page_base64(page) == base64.b64encode(page.encode()).decode("ascii")
