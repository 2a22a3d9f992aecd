"""The file drop on the real pipeline: every corpus message is dead-lettered with its reason
and an OperationOutcome naming the element, and nothing is published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapter.fhir.problems import MAX_ISSUES
from adapter.messaging.dropdir import DropDir
from adapter.messaging.filedrop import run_filedrop
from adapter.service.pipeline import ScoringPipeline
from adapter.settings import Settings
from tests.corpus import MANIFEST, body_of, expressions, limit_of


def _drain(root: Path, cases: list[dict[str, Any]], limit: int) -> DropDir:
    drop = DropDir(root)
    drop.ensure()
    for case in cases:
        (drop.inbox / case["file"]).write_bytes(body_of(case))
    run_filedrop(Settings(drop_dir=root, max_message_bytes=limit),
                 ScoringPipeline(max_message_bytes=limit), once=True, poll_interval_s=0.01,
                 backoff_initial_s=0.01)
    return drop


@pytest.fixture(scope="module")
def dead_letters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DropDir]:
    """Every corpus case through one drop folder per size limit."""
    by_limit: dict[int, list[dict[str, Any]]] = {}
    for case in MANIFEST:
        by_limit.setdefault(limit_of(case), []).append(case)
    out: dict[str, DropDir] = {}
    for limit, cases in by_limit.items():
        drop = _drain(tmp_path_factory.mktemp(f"drop-{limit}"), cases, limit)
        out.update({case["file"]: drop for case in cases})
    return out


@pytest.mark.parametrize("case", MANIFEST, ids=lambda c: c["file"])
def test_a_corpus_file_is_dead_lettered_with_its_reason_and_outcome(
    case: dict[str, Any], dead_letters: dict[str, DropDir],
) -> None:
    drop = dead_letters[case["file"]]
    name = case["file"]

    reason = (drop.dead_letter / f"{name}.reason").read_text()
    outcome = (drop.dead_letter / f"{name}.outcome.json").read_bytes()

    assert reason == f"{case['reason']}\n"
    assert set(case["expressions"]) <= expressions(outcome)
    assert (drop.dead_letter / name).read_bytes() == body_of(case)  # nothing lost


def test_no_corpus_file_is_published_or_left_behind(dead_letters: dict[str, DropDir]) -> None:
    for drop in set(dead_letters.values()):
        published = [p for p in drop.outbox.rglob("*") if p.is_file()]
        assert published == []
        assert list(drop.inbox.iterdir()) == []


def test_the_outcome_file_is_bounded_like_every_outcome(
    dead_letters: dict[str, DropDir],
) -> None:
    drop = dead_letters["many-bad-entries.json"]

    outcome = (drop.dead_letter / "many-bad-entries.json.outcome.json").read_bytes()

    assert outcome.count(b'"severity"') == MAX_ISSUES + 1
