"""A real worker on the real broker: every corpus message ends as a dead letter carrying its
reason and an OperationOutcome naming the element; none is published, none is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from amqp_support import Collected, Names, Worker, publish

from adapter.fhir.problems import MAX_ISSUES
from adapter.messaging.port import OUTCOME_HEADER, REASON_HEADER
from tests.corpus import MANIFEST, body_of, expressions, limit_of

pytestmark = pytest.mark.broker


def _run(names: Names, start_worker: Callable[..., Worker],
         cases: list[dict[str, Any]], limit: int, collected: Collected) -> None:
    worker = start_worker(index=limit, SSTR_MAX_MESSAGE_BYTES=str(limit))
    worker.wait_consuming()
    publish(names, [(case["file"], body_of(case)) for case in cases])
    collected.wait_for(names, {case["file"] for case in cases})
    assert worker.stop() == 0, worker.log()


def test_every_corpus_message_is_dead_lettered_with_its_reason_and_outcome(
    names: Names, start_worker: Callable[..., Worker],
) -> None:
    collected = Collected()
    by_limit: dict[int, list[dict[str, Any]]] = {}
    for case in MANIFEST:
        by_limit.setdefault(limit_of(case), []).append(case)

    for limit, cases in by_limit.items():
        _run(names, start_worker, cases, limit, collected)

    assert collected.reports == {} and collected.boards == {}
    assert collected.assert_exactly_once({c["file"] for c in MANIFEST}) == 0
    reasons = collected.reasons()
    for case in MANIFEST:
        dead = collected.dead[case["file"]][0]
        assert reasons[case["file"]] == case["reason"], case["file"]
        assert dead.body == body_of(case), case["file"]
        outcome = str(dead.headers[OUTCOME_HEADER])
        assert set(case["expressions"]) <= expressions(outcome), case["file"]
    bounded = orjson.loads(str(collected.dead["many-bad-entries.json"][0].headers[OUTCOME_HEADER]))
    assert len(bounded["issue"]) == MAX_ISSUES + 1
    assert REASON_HEADER in collected.dead["many-bad-entries.json"][0].headers
