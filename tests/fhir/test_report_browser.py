"""The HTML report in real headless Chromium: A4 width, every section, the table on the page.

Chromium comes from Debian's ``chromium`` package (``.ci/ensure-chromium``, run by
``make test``). Without it these tests skip on a workstation and fail under CI=true.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from adapter.domain import AnatomicCorrelate, BenignEvidence, Progression, SiteClass
from adapter.fhir.narrative import SECTIONS
from adapter.tools import report_preview as browser
from adapter.tools.synthetic import LesionSpec, MessageSpec, build_bundle
from tests.fhir.conftest import report_of, resources
from tests.fhir.test_report import _html

SECTION_IDS = [(sid, title) for sid, title in SECTIONS]


@pytest.fixture(scope="module", autouse=True)
def _chromium() -> Iterator[None]:
    if browser.chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing under CI: .ci/ensure-chromium installs it")
        pytest.skip("chromium is not installed (make test installs it under CI=true)")
    yield


def _hostile() -> str:
    """A long report: 12 lesions, unbroken and long texts, every kind of remark."""
    kinds = [
        (SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.CORRESPONDING, 3, None, None),
        (SiteClass.BONE_ATYPICAL, AnatomicCorrelate.NON_SUSPICIOUS, 2, None, None),
        (SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.NONE, 2, None, Progression.PROGRESSED),
        (SiteClass.HIGHLY_ATYPICAL, AnatomicCorrelate.CORRESPONDING, 3, None, None),
        (SiteClass.TYPICAL_SOFT_TISSUE, AnatomicCorrelate.HIGHLY_SUSPICIOUS, 0, None, None),
        (SiteClass.HIGHLY_ATYPICAL, AnatomicCorrelate.NON_SUSPICIOUS, 3, BenignEvidence.BIOPSY,
         None),
    ]
    lesions = []
    for i in range(12):
        site_class, correlate, level, benign, progression = kinds[i % len(kinds)]
        site = ("Leberhilusnahelymphknotenmetastasezwischenportalveneundarteria"
                if i == 0 else f"segment {i} of a site described at considerable length, "
                "with its relation to the neighbouring vessels and organs")
        lesions.append(LesionSpec(
            f"LESION-{i:02d}-WITH-A-LONG-TRACKING-ID", site, "78961009", site_class, correlate,
            level=level, suv_max=None if level == 0 else 1.0 + 1.7 * i, benign=benign,
            progression=progression, size_mm=None if i % 3 else 10.0 + i))
    spec = MessageSpec("hostile", tuple(lesions), symptoms="x" * 300,
                       previous_imaging="68Ga-DOTATOC PET/CT " * 20)
    return _html(resources(report_of(build_bundle(spec)), "DiagnosticReport")[0])


PAGES = ("figure-06", "figure-10", "reference-5-lesions")


def _page(name: str) -> str:
    return _hostile() if name == "hostile" else browser.example_html(name)


def _assert_fits(layout: dict[str, Any], rows: int | None = None) -> None:
    assert layout["scrollWidth"] <= layout["viewport"], "no horizontal overflow"
    assert layout["outside"] == [], "every element within the page width"
    assert layout["clipped"] == [], "no text wider than its box"
    assert [(s["id"], s["heading"]) for s in layout["sections"]] == SECTION_IDS
    table = layout["table"]
    assert table is not None and table["left"] >= 0 and table["right"] <= layout["viewport"]
    if rows is not None:
        assert table["rows"] == rows


@pytest.mark.parametrize("name", [*PAGES, "hostile"])
def test_the_report_fits_a4_width_on_screen_with_every_section(name: str) -> None:
    layout = browser.measure(_page(name), browser.A4_WIDTH_PX)

    _assert_fits(layout, 12 if name == "hostile" else None)


@pytest.mark.parametrize("name", ["figure-10", "hostile"])
def test_the_print_layout_fits_the_a4_page_inside_its_margins(name: str) -> None:
    layout = browser.measure(_page(name), browser.A4_PRINT_WIDTH_PX, print_layout=True)

    _assert_fits(layout)


def test_printing_gives_a4_pages() -> None:
    pdf = browser.print_pdf(_page("hostile"))

    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 2
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1
                         for w, h in boxes), "A4: 210 x 297 mm"


def test_the_layout_check_sees_an_overflow() -> None:
    page = _page("figure-10")
    unstyled = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    wide = unstyled.replace("liver segment III", "liver_segment_III_" * 40)

    layout = browser.measure(wide, browser.A4_WIDTH_PX)

    assert layout["scrollWidth"] > layout["viewport"] or layout["outside"]


def test_a_screenshot_is_a_png_of_the_whole_report() -> None:
    png = browser.screenshot(_page("figure-10"))

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == browser.A4_WIDTH_PX and height > browser.A4_HEIGHT_PX / 2
