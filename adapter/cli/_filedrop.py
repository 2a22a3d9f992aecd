"""The file-drop branch of ``sstr-adapter run`` (no broker configured), and ``--examples``.

``run.py`` owns the sub-command, the settings, the pipeline and the choice of transport;
this module owns what the command does on the file drop, so the branches change independently.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_UNAVAILABLE
from adapter.fhir import codes
from adapter.messaging.dropdir import DropDir
from adapter.messaging.filedrop import FileDropSummary, run_filedrop
from adapter.observability import Metrics
from adapter.service.results import MessageProcessor
from adapter.settings import Settings

DEFAULT_EXAMPLES = Path("fhir_profiles/examples")


def add_file_drop_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that only the file drop reads."""
    parser.add_argument("--drop-dir", type=Path,
                        help="root of inbox/, outbox/, dead-letter/ (default: SSTR_DROP_DIR)")
    parser.add_argument("--examples", nargs="?", const=DEFAULT_EXAMPLES, type=Path, metavar="DIR",
                        help="score the bundled examples: copy DIR/*-input.json (default "
                             f"{DEFAULT_EXAMPLES}) into a fresh drop dir, drain it, print counts")


def run_file_drop(args: argparse.Namespace, settings: Settings, processor: MessageProcessor,
                  metrics: Metrics) -> int:
    """Watch the drop dir (drain it with ``--once``), or score the examples with ``--examples``.

    Prints the counts per outcome and where the files are; exit code per :mod:`adapter.cli`.
    """
    drop_dir: Path | None = getattr(args, "drop_dir", None)
    if drop_dir is not None:
        settings = settings.model_copy(update={"drop_dir": drop_dir})
    examples: Path | None = getattr(args, "examples", None)
    if examples is not None:
        return _run_examples(examples, drop_dir, settings, processor, metrics)
    summary = run_filedrop(settings, processor, once=args.once, metrics=metrics)
    print(f"sstr-adapter run (file drop, {settings.drop_dir}/):", flush=True)
    _print_summary(summary, settings.drop_dir)
    left = DropDir(settings.drop_dir).pending()
    return EXIT_UNAVAILABLE if args.once and summary.transient and left else EXIT_OK


def _run_examples(examples: Path, drop_dir: Path | None, settings: Settings,
                  processor: MessageProcessor, metrics: Metrics) -> int:
    inputs = sorted(examples.glob("*-input.json"))
    if not inputs:
        print(f"run --examples: no *-input.json in {examples}/", file=sys.stderr)
        return EXIT_CONFIG
    root = _fresh_drop_dir(drop_dir, settings.drop_dir.parent)
    if root is None:
        print(f"run --examples: {drop_dir}/ is not empty; give a new or empty directory",
              file=sys.stderr)
        return EXIT_CONFIG
    drop = DropDir(root)
    drop.ensure()
    for source in inputs:
        shutil.copyfile(source, drop.inbox / source.name)
    settings = settings.model_copy(update={"drop_dir": root})
    summary = run_filedrop(settings, processor, once=True, metrics=metrics)
    print(f"Scored {len(inputs)} example messages from {examples}/ on the file-drop transport "
          "(no broker):", flush=True)
    _print_summary(summary, root)
    _print_reports(inputs, drop)
    return EXIT_OK if summary.crashed == summary.transient == 0 else EXIT_UNAVAILABLE


def _print_reports(inputs: list[Path], drop: DropDir) -> None:
    """One line per example: the overall score the worker published and the paper's."""
    from adapter.tools.examples import FIGURES  # the paper's category per worked example

    reports: dict[str, dict[str, Any]] = {}
    for path in (drop.outbox / "report").glob("*.json"):
        doc = orjson.loads(path.read_bytes())
        header = doc["entry"][0]["resource"]
        reports[header["response"]["identifier"]] = doc
    print(f"  {'example':<36} {'overall':<14} {'paper':<14} {'PRRT':<28} tumour board")
    for source in inputs:
        request = orjson.loads(source.read_bytes())
        report = reports.get(request["entry"][0]["resource"].get("id", ""))
        name = source.name.removesuffix("-input.json")
        paper = FIGURES[name][0] if name in FIGURES else None
        paper_label = f"SSTR-RADS-{paper}" if paper else "-"
        if report is None:
            print(f"  {source.name:<36} {'(no report: see dead-letter/)':<14}")
            continue
        overall, prrt, board = _report_line(report)
        print(f"  {source.name:<36} {overall:<14} {paper_label:<14} {prrt:<28} {board}")


def _report_line(report: dict[str, Any]) -> tuple[str, str, str]:
    """Overall category, PRRT recommendation and tumour-board flag read from a report Bundle."""
    resources = [entry["resource"] for entry in report["entry"]]
    diagnostic = next(r for r in resources if r["resourceType"] == "DiagnosticReport")
    overall = diagnostic["conclusionCode"][0]["coding"][0]["display"]
    prrt = next((c["valueCodeableConcept"]["coding"][0]["code"]
                 for r in resources if r["resourceType"] == "Observation"
                 for c in r.get("component", [])
                 if c.get("code", {}).get("coding", [{}])[0].get("code") == codes.OBS_PRRT), "-")
    board = "requested" if any(r["resourceType"] == "Task" for r in resources) else "-"
    return overall, prrt, board


def _fresh_drop_dir(requested: Path | None, parent: Path) -> Path | None:
    if requested is None:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="examples-", dir=parent))
    if requested.exists() and any(requested.iterdir()):
        return None
    requested.mkdir(parents=True, exist_ok=True)
    return requested


def _print_summary(summary: FileDropSummary, root: Path) -> None:
    """Counts per outcome and where the files are (stdout; logs go to stderr)."""
    drop = DropDir(root)
    width = max(len(key) for key in summary.as_dict())
    for key, value in summary.as_dict().items():
        print(f"  {key:<{width}}  {value}")
    if drop.outbox.is_dir():
        for kind in sorted(p for p in drop.outbox.iterdir() if p.is_dir()):
            count = sum(1 for p in kind.iterdir() if not p.name.startswith("."))
            print(f"  outputs: {kind}/ ({count} files)")
    dead = sum(1 for p in drop.dead_letter.glob("*")
               if not p.name.startswith(".") and not p.name.endswith((".outcome.json", ".reason")))
    if dead:
        print(f"  dead letters: {drop.dead_letter}/ ({dead} files, each with "
              "<name>.outcome.json and <name>.reason)")
