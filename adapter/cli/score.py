"""``sstr-adapter score FILE|-``: score one input message; ``--examples``: score the bundled ones.

Writes the response Bundle (exit 0) or the OperationOutcome (exit 1) to stdout;
``--summary`` prints a one-screen human summary instead of the Bundle.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_REJECTED, EXIT_UNAVAILABLE, EXIT_USAGE
from adapter.fhir.narrative import summary_text
from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import Rejected
from adapter.tools.examples import EXAMPLES_DIR


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score", help="score one FHIR findings message (FILE or - for stdin)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", help="input message (JSON); - reads stdin")
    parser.add_argument("--summary", action="store_true",
                        help="print a human summary instead of the response Bundle")
    parser.add_argument("--examples", action="store_true",
                        help="score every fhir_profiles/examples/*-input.json, one line each")
    parser.set_defaults(func=run)


def _pipeline() -> ScoringPipeline:
    from adapter.settings import load_settings

    settings = load_settings()
    return ScoringPipeline(settings.policy(), settings.max_message_bytes,
                           settings.strict_validation)


def run(args: argparse.Namespace) -> int:
    if args.examples == bool(args.file):
        print("score: give FILE (or -) or --examples", file=sys.stderr)
        return EXIT_USAGE
    try:
        pipeline = _pipeline()
    except ValueError as exc:  # pydantic ValidationError of a bad SSTR_ setting
        print(f"score: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.examples:
        return score_examples(pipeline, EXAMPLES_DIR)
    try:
        body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"score: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return score_one(pipeline, body, summary=args.summary)


def score_one(pipeline: ScoringPipeline, body: bytes, *, summary: bool) -> int:
    assessed = pipeline.assess(body)
    if isinstance(assessed, Rejected):
        sys.stdout.buffer.write(assessed.outcome + b"\n")
        return EXIT_REJECTED
    if summary:
        sys.stdout.write(summary_text(assessed.assessment))
        return EXIT_OK
    report = pipeline.publishable(assessed).outputs[0]
    sys.stdout.buffer.write(report.body + b"\n")
    return EXIT_OK


def score_examples(pipeline: ScoringPipeline, directory: Path) -> int:
    """One line per example: file, overall category, PRRT recommendation, tumour board."""
    code = EXIT_OK
    for path in sorted(directory.glob("*-input.json")):
        assessed = pipeline.assess(path.read_bytes())
        if isinstance(assessed, Rejected):
            print(f"{path.name:40} rejected ({assessed.reason})")
            code = EXIT_REJECTED
            continue
        a = assessed.assessment
        board = "tumour board" if a.tumour_board else "-"
        print(f"{path.name:36} {a.overall.label:14} PRRT {a.prrt.value:28} {board}")
    return code
