"""``sstr-adapter run``: the worker. RabbitMQ when ``SSTR_AMQP_URL`` is set, else the file drop.

Exit codes (README, worker section): 0 stopped on request (SIGTERM/SIGINT) or inbox drained;
3 configuration error (settings, TLS verification or certificate files, refused credentials,
a missing or forbidden virtual host, topology that contradicts the broker's): one log line
names the cause; 4 broker unavailable for longer than ``--give-up-after``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Any

from pydantic import ValidationError

from adapter.cli import EXIT_CONFIG, EXIT_OK, EXIT_UNAVAILABLE
from adapter.cli._filedrop import add_file_drop_arguments, run_file_drop
from adapter.observability import Metrics, configure_logging, serve_metrics
from adapter.service.results import MessageProcessor, Outcome
from adapter.settings import Settings, load_settings

log = logging.getLogger("adapter.cli.run")

CRASH_EXIT_STATUS = 70


def register(subparsers: Any) -> None:
    """Add the ``run`` sub-command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run the worker: RabbitMQ if SSTR_AMQP_URL is set, else the file drop",
        description="Consume input messages, publish reports and tumour-board messages, "
                    "dead-letter bad input. Stops gracefully on SIGTERM/SIGINT and prints "
                    "the counts per outcome.",
    )
    parser.add_argument("--once", action="store_true",
                        help="file drop only: process what is in inbox/ and exit")
    parser.add_argument("--connection-name",
                        help="AMQP connection name shown by rabbitmqctl "
                             "(default sstr-adapter/<host>/<pid>)")
    parser.add_argument("--give-up-after", type=float, metavar="SECONDS",
                        help="AMQP: exit with code 4 after this long without a broker "
                             "(default: retry forever)")
    add_file_drop_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load settings, wire the pipeline, run the worker until stopped."""
    from adapter.bootstrap import build_processor

    try:
        settings = load_settings()
    except ValidationError as exc:
        # Field names only: values may be secrets (the broker URL's password).
        fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors()})
        print(f"run: invalid settings: {', '.join(fields)}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    # The worker logs one line per failed connection attempt with its cause; pika's own
    # records (several ERRORs with a stack trace per attempt) only with SSTR_LOG_LEVEL=DEBUG.
    quiet = settings.log_level.upper() != "DEBUG"
    logging.getLogger("pika").setLevel(logging.CRITICAL if quiet else logging.WARNING)
    processor = _with_test_hooks(build_processor(settings))
    metrics = Metrics()
    try:
        serve_metrics(metrics, settings.metrics_port, settings.metrics_addr)
    except OSError as exc:
        log.warning("metrics endpoint not started", extra={"exc_type": type(exc).__name__,
                                                           "status": settings.metrics_port})
    if settings.amqp_url and args.examples is None:
        return _run_amqp(settings, processor, metrics, args)
    return _run_filedrop(settings, processor, metrics, args)


def _run_amqp(settings: Settings, processor: MessageProcessor, metrics: Metrics,
              args: argparse.Namespace) -> int:
    from adapter.messaging.consumer import RabbitMQWorker, WorkerResult
    from adapter.messaging.rabbitmq import AmqpConfigError, default_connection_name

    worker = RabbitMQWorker(settings, processor, metrics,
                            connection_name=args.connection_name or default_connection_name(),
                            give_up_after_s=args.give_up_after)
    worker.install_signal_handlers()
    try:
        result = worker.run()
    except AmqpConfigError as exc:
        print(f"run: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    summary = worker.tally.line()
    log.info(f"worker stopped: {summary}", extra={"transport": "amqp", "status": result.value})
    print(f"sstr-adapter run (amqp, {result.value}): {summary}", flush=True)
    return {WorkerResult.STOPPED: EXIT_OK, WorkerResult.CONFIG_ERROR: EXIT_CONFIG,
            WorkerResult.UNAVAILABLE: EXIT_UNAVAILABLE}[result]


def _run_filedrop(settings: Settings, processor: MessageProcessor, metrics: Metrics,
                  args: argparse.Namespace) -> int:
    """No broker configured: the embedded file-drop default (owned by the file-drop module)."""
    return run_file_drop(args, settings, processor, metrics)


def _with_test_hooks(processor: MessageProcessor) -> MessageProcessor:
    """Fault-test hooks, honoured only with ``SSTR_ENABLE_TEST_HOOKS=1``.

    ``SSTR_TEST_PROCESSOR=module:factory``: use ``factory()`` instead of the pipeline.
    ``SSTR_TEST_CRASH_MARKER``: an input containing these bytes kills the process
    (``os._exit``) before processing, like a segfault in a native library would.
    """
    if os.environ.get("SSTR_ENABLE_TEST_HOOKS") != "1":
        return processor
    factory = os.environ.get("SSTR_TEST_PROCESSOR")
    if factory:
        module, _, name = factory.partition(":")
        processor = getattr(importlib.import_module(module), name)()
    marker = os.environ.get("SSTR_TEST_CRASH_MARKER", "").encode()
    if not marker:
        return processor
    log.warning("test hooks enabled: crash marker active")

    def crashing(body: bytes) -> Outcome:
        if marker in body:
            os._exit(CRASH_EXIT_STATUS)
        return processor(body)

    return crashing
