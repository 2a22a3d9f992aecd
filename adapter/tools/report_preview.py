"""The HTML report in a real browser: screenshots, PDF and layout figures (headless Chromium).

``python -m adapter.tools.report_preview [EXAMPLE] [--out PNG]`` scores a bundled example
(default ``figure-10``) and writes a screenshot of its ``presentedForm`` at A4 width (the
README shows ``docs/report/figure-10-report.png``). The layout tests use :func:`measure`
and :func:`print_pdf`. Needs Debian's ``chromium`` (``.ci/ensure-chromium`` installs it).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

A4_WIDTH_PX = 794
"""210 mm at the CSS 96 px per inch."""
A4_HEIGHT_PX = 1123
A4_PRINT_WIDTH_PX = 695
"""The A4 width inside the report's ``@page`` margins (210 mm - 2 x 13 mm = 184 mm)."""
TIMEOUT_S = 90

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "report" / "figure-10-report.png"

# Collects the layout figures after load and writes them into the page as JSON, for
# --dump-dom to return. Only the test copy of a report carries it, never the report.
_MEASURE = """<script>(function(){
var d=document.documentElement,vw=d.clientWidth,r={viewport:vw,scrollWidth:d.scrollWidth,
height:d.scrollHeight,sections:[],outside:[],clipped:[],table:null};
document.querySelectorAll('section').forEach(function(s){var h=s.querySelector('h2');
r.sections.push({id:s.id,heading:h?h.textContent:''});});
var t=document.querySelector('table.findings');if(t){var b=t.getBoundingClientRect();
r.table={left:b.left,right:b.right,rows:t.tBodies[0].rows.length};}
document.querySelectorAll('body *').forEach(function(e){var b=e.getBoundingClientRect();
if(b.width>0&&(b.right>vw+0.5||b.left<-0.5))r.outside.push(e.tagName+' '+e.className);});
document.querySelectorAll('th,td,dd,dt,p,li,h1,h2,h3').forEach(function(e){
if(e.scrollWidth>e.clientWidth+1)r.clipped.push(e.tagName+': '+e.textContent.slice(0,40));});
var o=document.createElement('pre');o.id='layout-result';o.textContent=JSON.stringify(r);
document.body.appendChild(o);})();</script>"""
_RESULT = re.compile(r'<pre id="layout-result">(.*?)</pre>', re.DOTALL)


class BrowserError(RuntimeError):
    """Chromium is missing, failed or gave no result."""


def chromium() -> str | None:
    """The Chromium executable on the PATH, if any."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(
    page: str, width: int, height: int, *action: str, suffix: str = "bin"
) -> tuple[str, bytes | None]:
    """Load ``page`` in headless Chromium: its stdout and the file it wrote (``{out}``), if any."""
    binary = chromium()
    if binary is None:
        raise BrowserError("chromium is not installed (Debian package 'chromium')")
    with tempfile.TemporaryDirectory(prefix="sstr-chromium-") as tmp:
        source, out = Path(tmp) / "report.html", Path(tmp) / f"out.{suffix}"
        source.write_text(page, encoding="utf-8")
        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions", "--mute-audio",
                f"--user-data-dir={tmp}/profile", f"--window-size={width},{height}",
                *(a.replace("{out}", str(out)) for a in action), source.as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise BrowserError(f"chromium did not finish within {TIMEOUT_S} s") from exc
        if done.returncode != 0:
            raise BrowserError(f"chromium exited with {done.returncode}: {done.stderr[-500:]}")
        return done.stdout, out.read_bytes() if out.exists() else None


def _file(page: str, width: int, height: int, *action: str, suffix: str) -> bytes:
    made = _run(page, width, height, *action, suffix=suffix)[1]
    if not made:
        raise BrowserError("chromium wrote no output file")
    return made


def measure(page: str, width: int = A4_WIDTH_PX, *, print_layout: bool = False) -> dict[str, Any]:
    """Layout figures of ``page`` at ``width`` CSS px (``print_layout``: its print rules)."""
    if print_layout:
        page = page.replace("@media print{", "@media all{")
    if "</body>" not in page:
        raise BrowserError("the page has no </body>")
    dom, _ = _run(page.replace("</body>", _MEASURE + "</body>"), width, A4_HEIGHT_PX,
                  "--virtual-time-budget=5000", "--dump-dom")
    found = _RESULT.search(dom)
    if found is None:
        raise BrowserError("the page gave no layout result")
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def screenshot(page: str, width: int = A4_WIDTH_PX, height: int | None = None) -> bytes:
    """A PNG of ``page``; the whole page unless ``height`` is given."""
    if height is None:
        height = int(measure(page, width)["height"])
    return _file(page, width, height, "--screenshot={out}", suffix="png")


def print_pdf(page: str) -> bytes:
    """``page`` printed to PDF by Chromium (its ``@page`` rules apply)."""
    return _file(page, A4_WIDTH_PX, A4_HEIGHT_PX, "--no-pdf-header-footer",
                 "--print-to-pdf={out}", suffix="pdf")


def example_html(name: str) -> str:
    """The ``presentedForm`` HTML the adapter gives for a bundled example input."""
    from adapter.service.pipeline import ScoringPipeline
    from adapter.service.results import OutputKind, Processed
    from adapter.tools.examples import input_path

    outcome = ScoringPipeline()(input_path(name).read_bytes())
    if not isinstance(outcome, Processed):
        raise ValueError(f"{name}: the example input is rejected ({outcome.reason})")
    report = next(o for o in outcome.outputs if o.kind is OutputKind.REPORT)
    bundle = json.loads(report.body)
    diagnostic = next(e["resource"] for e in bundle["entry"]
                      if e["resource"]["resourceType"] == "DiagnosticReport")
    return base64.b64decode(diagnostic["presentedForm"][0]["data"]).decode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("example", nargs="?", default="figure-10",
                        help="a bundled example (fhir_profiles/examples/NAME-input.json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the PNG to write")
    args = parser.parse_args(argv)
    png = screenshot(example_html(args.example))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png)
    print(f"{args.out} ({len(png)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
