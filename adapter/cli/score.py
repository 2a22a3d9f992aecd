"""``sstr-adapter score FILE|-``: score one input message; ``--examples``: score the bundled ones.

Writes the response Bundle (exit 0) or the OperationOutcome (exit 1) to stdout;
``--summary`` prints a one-screen human summary instead of the Bundle.
At most SSTR_MAX_MESSAGE_BYTES + 1 bytes are read from any source (a larger input is
rejected as too large, exit 1); an unexpected failure writes an ``exception``
OperationOutcome (exit 1) and logs its traceback at DEBUG, never the input.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import ValidationError

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_REJECTED, EXIT_UNAVAILABLE, EXIT_USAGE
from adapter.fhir.narrative import summary_text
from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import Rejected
from adapter.tools.examples import EXAMPLES_DIR

log = logging.getLogger("adapter.cli.score")

_CHUNK = 1 << 16
_FAILED = orjson.dumps({"resourceType": "OperationOutcome", "issue": [{
    "severity": "fatal", "code": "exception",
    "diagnostics": "scoring failed unexpectedly; the log has the traceback at DEBUG "
                   "(SSTR_LOG_LEVEL=DEBUG)"}]})


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
    from adapter.observability import configure_logging
    from adapter.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    return ScoringPipeline(settings.policy(), settings.max_message_bytes,
                           settings.strict_validation, settings.report_options())


def run(args: argparse.Namespace) -> int:
    if args.examples == bool(args.file):
        print("score: give FILE (or -) or --examples", file=sys.stderr)
        return EXIT_USAGE
    try:
        pipeline = _pipeline()
    except ValidationError as exc:
        # Field names only: values may be secrets (the API token).
        fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors()})
        print(f"score: invalid settings: {', '.join(fields)}", file=sys.stderr)
        return EXIT_CONFIG
    if args.examples:
        return score_examples(pipeline, EXAMPLES_DIR)
    limit = pipeline.max_message_bytes + 1
    try:
        if args.file == "-":
            if sys.stdin is None:
                print("score: no standard input to read", file=sys.stderr)
                return EXIT_USAGE
            body = read_at_most(sys.stdin.buffer, limit)
        else:
            with open(args.file, "rb") as handle:
                body = read_at_most(handle, limit)
    except OSError as exc:
        print(f"score: cannot read {args.file}: {exc.strerror or type(exc).__name__}",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        return score_one(pipeline, body, summary=args.summary)
    except Exception as exc:
        # The frames only: an exception's message may quote the input.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.debug(f"scoring failed; traceback (frames only):\n{frames}",
                  extra={"exc_type": type(exc).__name__})
        print(f"score: scoring failed unexpectedly ({type(exc).__name__})", file=sys.stderr)
        sys.stdout.buffer.write(_FAILED + b"\n")
        return EXIT_REJECTED


def read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream``, read in chunks: an endless or huge source
    (``/dev/zero``, a pipe) costs at most ``limit`` bytes of memory."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


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
