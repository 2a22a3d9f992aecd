"""Benchmarks of the adapter against baselines measured in the same run (``sstr-adapter bench``).

These machines are shared and noisy, so every figure is reported as a ratio against a
baseline that does the same I/O without the adapter's work, measured minutes apart:

==========================  =================================================================
figure                      baseline
==========================  =================================================================
worker throughput           bare pika echo loop (same queues, confirms, prefetch, bytes)
per-message compute         ``orjson.loads`` + ``orjson.dumps`` of the same bytes
scaling with lesions        linear fit of compute per message against lesions per message
latency at half max rate    the echo loop at the same rate
worker memory               RSS after the first 1k messages
1, 2, 4 workers             one worker
HTTP ``$process-message``   a bare FastAPI endpoint returning the same bytes
==========================  =================================================================

:mod:`adapter.bench.runner` runs them all; :mod:`adapter.bench.report` writes JSON,
Markdown, the README table and (:mod:`adapter.bench.plot`) the PNG.

This package is a measuring tool: its AMQP modules (``amqp_*``) import pika and
:mod:`adapter.bench.bare_http` imports FastAPI directly, because the baselines are, by
definition, those libraries with the adapter taken out.
"""

from __future__ import annotations
