"""``sstr-adapter dlq list|show ID|replay [ID|--all]``: the dead-letter queue for operators.

``list`` prints ids, reasons and sizes only (never message content); ``show`` adds the
OperationOutcome, and the message body only with ``--body``. ``replay`` republishes to the
input exchange keeping the original message id. Exit codes: 0 done; 2 no such message or
bad usage; 3 configuration (no ``SSTR_AMQP_URL``); 4 broker unavailable.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import ValidationError

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE
from adapter.settings import load_settings


def register(subparsers: Any) -> None:
    """Add the ``dlq`` sub-command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "dlq", help="inspect and replay dead-lettered messages (RabbitMQ)",
        description="Inspect and replay the dead-letter queue named by SSTR_DEAD_LETTER_QUEUE.")
    actions = parser.add_subparsers(dest="dlq_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="ids, reasons and sizes (no message content)")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    show = actions.add_parser("show", help="one dead letter: reason, headers, OperationOutcome")
    show.add_argument("message_id")
    show.add_argument("--body", action="store_true",
                      help="also print the message body (may contain patient data)")
    replay = actions.add_parser("replay", help="republish to the input exchange, same id")
    target = replay.add_mutually_exclusive_group(required=True)
    target.add_argument("message_id", nargs="?")
    target.add_argument("--all", action="store_true", help="replay every dead letter")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Dispatch to list, show or replay."""
    from adapter.messaging import dlq
    from adapter.messaging.rabbitmq import AmqpConfigError

    try:
        settings = load_settings()
        if not settings.amqp_url:
            raise AmqpConfigError("SSTR_AMQP_URL is not set")
        if args.dlq_action == "list":
            return _list(dlq.browse(settings, args.limit))
        if args.dlq_action == "show":
            letter = dlq.find(settings, args.message_id)
            return _show(letter, args.body) if letter else _not_found(args.message_id)
        count = dlq.replay(settings, None if args.all else args.message_id)
        print(f"replayed {count} message(s) to {settings.input_exchange}")
        return EXIT_OK if count or args.all else _not_found(args.message_id)
    except (AmqpConfigError, ValidationError) as exc:
        print(f"dlq: configuration: {type(exc).__name__}: {_safe(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    except dlq.BrokerUnavailableError as exc:
        print(f"dlq: broker unavailable ({exc})", file=sys.stderr)
        return EXIT_UNAVAILABLE


def _safe(exc: Exception) -> str:
    # Validation errors could echo the URL (with its password): field names only.
    if isinstance(exc, ValidationError):
        return ", ".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
    return str(exc)


def _list(letters: list[Any]) -> int:
    print(f"{'message id':<40} {'reason':<28} {'attempts':>8} {'bytes':>8}")
    for letter in letters:
        attempts = "-" if letter.attempts is None else str(letter.attempts)
        print(f"{letter.message_id or '-':<40} {letter.reason:<28} {attempts:>8} "
              f"{len(letter.body):>8}")
    print(f"{len(letters)} dead letter(s) shown")
    return EXIT_OK


def _show(letter: Any, with_body: bool) -> int:
    print(f"message id:  {letter.message_id}")
    print(f"reason:      {letter.reason}")
    print(f"attempts:    {letter.attempts if letter.attempts is not None else '-'}")
    if letter.error_type:
        print(f"error type:  {letter.error_type}")
    print(f"bytes:       {len(letter.body)}")
    print("outcome:")
    print(letter.outcome or "  (none: dead-lettered by the broker, see the worker log)")
    if with_body:
        print("body:")
        print(letter.body.decode("utf-8", errors="replace"))
    return EXIT_OK


def _not_found(message_id: str) -> int:
    print(f"dlq: no dead letter with message id {message_id}", file=sys.stderr)
    return EXIT_USAGE
