"""The worked examples of the paper as input messages, and their golden outputs.

One :class:`MessageSpec` per figure legend of SSTR-RADS 1.0 (sites, uptake levels,
correlates, grade/Ki-67 and prior therapies as the legend says; acquisition data
plausible; patients fictional). ``python -m adapter.tools.examples`` rewrites the
``…-output.json`` golden files from the inputs; ``--inputs`` rewrites the inputs too.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson

import adapter
from adapter.domain import AnatomicCorrelate as Cor
from adapter.domain import BenignEvidence, Grade
from adapter.domain import SiteClass as Site
from adapter.fhir import codes
from adapter.tools.synthetic import LesionSpec, MessageSpec, build_bundle, synthetic_spec

EXAMPLES_DIR = Path(adapter.__file__).resolve().parent.parent / "fhir_profiles" / "examples"
NET = "1290125003"


def _spec(key: str, *lesions: LesionSpec, **kw: Any) -> MessageSpec:
    return MessageSpec(key, tuple(lesions), **kw)


FIGURES: dict[str, tuple[str, MessageSpec]] = {
    # name: (overall category the paper gives, input)
    "figure-01": ("1A", _spec(
        "figure-01",
        LesionSpec("L1", "uncinate process of the pancreas, physiological uptake", "15776009",
                   Site.PHYSIOLOGIC, Cor.NONE, level=2, suv_max=6.1),
        primary_tumour=None, family="Beispiel", given="Jo")),
    "figure-02": ("1B", _spec(
        "figure-02",
        LesionSpec("L1", "prostate (prostatitis or benign prostatic hyperplasia)", "41216001",
                   Site.TYPICAL_SOFT_TISSUE, Cor.NON_SUSPICIOUS, level=2, suv_max=4.2,
                   benign=BenignEvidence.PATHOGNOMONIC_IMAGING, size_mm=48.0),
        primary_tumour=None, gender="male", laboratory="Chromogranin A increased",
        symptoms="none reported", family="Probe", given="Max")),
    "figure-03": ("2", _spec(
        "figure-03",
        LesionSpec("L1", "inferior endplate of a lumbar vertebral body (Schmorl's node)",
                   "122496007", Site.BONE_ATYPICAL, Cor.NON_SUSPICIOUS, level=1, suv_max=1.1,
                   size_mm=9.0),
        primary_tumour=(NET, "Neuroendocrine tumour of the pancreas"), grade=Grade.G1, ki67=2.0,
        family="Exempel", given="Sam")),
    "figure-04": ("3A", _spec(
        "figure-04",
        LesionSpec("L1", "mesenteric lymph node, mid-abdomen", "59441001",
                   Site.TYPICAL_SOFT_TISSUE, Cor.NON_SUSPICIOUS, level=2, suv_max=4.4,
                   size_mm=4.0),
        primary_tumour=(NET, "Neuroendocrine tumour of the ileum"), grade=Grade.G1, ki67=2.0,
        family="Muster", given="Kim")),
    "figure-05": ("3B", _spec(
        "figure-05",
        LesionSpec("L1", "right 5th rib", "113197003", Site.BONE_NOT_ATYPICAL,
                   Cor.CORRESPONDING, level=2, suv_max=5.0, size_mm=12.0),
        primary_tumour=(NET, "Neuroendocrine tumour of the small bowel"), grade=Grade.G2,
        family="Sample", given="Robin")),
    "figure-06": ("3C", _spec(
        "figure-06",
        LesionSpec("L1", "remaining right breast", "76752008", Site.HIGHLY_ATYPICAL,
                   Cor.CORRESPONDING, level=3, suv_max=11.8, size_mm=22.0),
        primary_tumour=None, gender="female",
        other_malignancies="right invasive lobular breast cancer pT3 N1 M1 (liver)",
        family="Demo", given="Ada")),
    "figure-07": ("3D", _spec(
        "figure-07",
        LesionSpec("L1", "liver, hepatic metastasis", "10200004", Site.TYPICAL_SOFT_TISSUE,
                   Cor.HIGHLY_SUSPICIOUS, level=0, size_mm=28.0),
        primary_tumour=(NET, "Neuroendocrine tumour of the pancreas"), grade=Grade.G2,
        therapies=("ssa", "prrt"),
        previous_imaging="2 cycles PRRT, cumulative 15.4 GBq 177Lu-DOTATOC",
        family="Testfall", given="Lou")),
    "figure-08": ("4", _spec(
        "figure-08",
        LesionSpec("L1", "lymph node, lower left abdomen", "59441001", Site.TYPICAL_SOFT_TISSUE,
                   Cor.NON_SUSPICIOUS, level=3, suv_max=14.2, size_mm=6.0),
        primary_tumour=(NET, "Neuroendocrine tumour of the ileocaecal region"), grade=Grade.G1,
        ki67=2.0, family="Modell", given="Eli")),
    "figure-09": ("5", _spec(
        "figure-09",
        LesionSpec("L1", "liver, right lobe", "10200004", Site.TYPICAL_SOFT_TISSUE,
                   Cor.CORRESPONDING, level=3, suv_max=24.6, size_mm=35.0),
        LesionSpec("L2", "liver, left lobe", "10200004", Site.TYPICAL_SOFT_TISSUE,
                   Cor.CORRESPONDING, level=3, suv_max=19.3, size_mm=21.0),
        family="Fiktiv", given="Noa")),
    "figure-10": ("5", _spec(
        "figure-10",
        LesionSpec("L1", "intravertebral disc herniation (Schmorl's node)", "122496007",
                   Site.BONE_ATYPICAL, Cor.NON_SUSPICIOUS, level=1, suv_max=1.1, size_mm=8.0),
        # L2 sends SUVs without a reader level (Table 2 gives level 3: 12.5 > liver 7.5) and
        # a Couinaud segment code; L3 sends its organ system.
        LesionSpec("L2", "liver segment III", "277957003", Site.TYPICAL_SOFT_TISSUE, Cor.NONE,
                   suv_max=12.5),
        LesionSpec("L3", "lymph node at the liver hilum, pathologically enlarged", "61492009",
                   Site.TYPICAL_SOFT_TISSUE, Cor.CORRESPONDING, level=3, suv_max=16.0,
                   size_mm=18.0, organ_system="lymph-node"),
        primary_tumour=(NET, "Neuroendocrine tumour of the colon/rectum"), grade=Grade.G1,
        family="Muster", given="Toni")),
    "supplementary-figure-1": ("1B", _spec(
        "supplementary-figure-1",
        LesionSpec("L1", "thyroid (known thyroid adenoma)", "69748006", Site.HIGHLY_ATYPICAL,
                   Cor.NON_SUSPICIOUS, level=3, suv_max=10.4, benign=BenignEvidence.BIOPSY,
                   size_mm=15.0),
        other_malignancies="none", family="Beispiel", given="Uli",
        tracer=codes.UMLS_GA68_DOTATOC)),
}
REFERENCE = "reference-5-lesions"


def input_specs() -> dict[str, MessageSpec]:
    """Every example input by file stem (without ``-input.json``)."""
    specs = {name: spec for name, (_, spec) in FIGURES.items()}
    specs[REFERENCE] = synthetic_spec(5, key="reference")
    return specs


def input_path(name: str) -> Path:
    return EXAMPLES_DIR / f"{name}-input.json"


def pretty(body: bytes) -> bytes:
    """The committed form of a JSON output: two-space indent, final newline."""
    return orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2) + b"\n"


def golden_outputs(name: str) -> dict[Path, bytes]:
    """The output files of one example, as the pipeline produces them now."""
    from adapter.service.pipeline import ScoringPipeline
    from adapter.service.results import OutputKind, Processed

    outcome = ScoringPipeline()(input_path(name).read_bytes())
    if not isinstance(outcome, Processed):
        raise ValueError(f"{name}: the example input is rejected ({outcome.reason})")
    suffix = {OutputKind.REPORT: "output", OutputKind.TUMOUR_BOARD: "tumour-board-output"}
    return {EXAMPLES_DIR / f"{name}-{suffix[o.kind]}.json": pretty(o.body)
            for o in outcome.outputs}


def write(inputs: bool = False) -> list[Path]:
    written = []
    for name, spec in input_specs().items():
        if inputs:
            input_path(name).write_bytes(
                orjson.dumps(build_bundle(spec), option=orjson.OPT_INDENT_2) + b"\n")
            written.append(input_path(name))
        for path, body in golden_outputs(name).items():
            path.write_bytes(body)
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", action="store_true", help="also rewrite the inputs")
    args = parser.parse_args()
    for path in write(inputs=args.inputs):
        print(path.relative_to(EXAMPLES_DIR.parent.parent))


if __name__ == "__main__":
    main()
