"""The ``sstr-adapter`` command: one sub-command per module of this package.

Each sub-command module exposes ``register(subparsers)`` which adds its parser and
sets ``func`` to a callable taking the parsed arguments and returning the exit code.

Exit codes: 0 success; 1 input rejected (an OperationOutcome was written); 2 usage
error; 3 configuration error; 4 broker or I/O unavailable after retries.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from adapter import __version__

SUBCOMMANDS = ("score", "run", "dlq", "serve", "bench")

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_UNAVAILABLE = 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sstr-adapter",
        description="Score SSTR-PET findings by SSTR-RADS 1.0 and publish FHIR R4 reports.",
        epilog="Settings come from SSTR_* environment variables (see README).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"adapter.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"adapter.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
