"""``sstr-adapter score`` on every corpus message: exit 1 and the OperationOutcome on stdout."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from adapter.cli import EXIT_REJECTED, main
from tests.corpus import CORPUS, MANIFEST, expressions, limit_of


@pytest.mark.parametrize("case", MANIFEST, ids=lambda c: c["file"])
def test_a_corpus_message_exits_1_with_the_outcome_naming_the_element(
    case: dict[str, Any], capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSTR_MAX_MESSAGE_BYTES", str(limit_of(case)))

    code = main(["score", str(CORPUS / case["file"])])

    captured = capsysbinary.readouterr()
    assert code == EXIT_REJECTED
    assert orjson.loads(captured.out)["resourceType"] == "OperationOutcome"
    assert set(case["expressions"]) <= expressions(captured.out)
    assert b"Traceback" not in captured.err


@pytest.mark.parametrize("case", MANIFEST, ids=lambda c: c["file"])
def test_the_summary_of_a_corpus_message_is_the_outcome_too(
    case: dict[str, Any], capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSTR_MAX_MESSAGE_BYTES", str(limit_of(case)))

    code = main(["score", "--summary", str(CORPUS / case["file"])])

    captured = capsysbinary.readouterr()
    assert code == EXIT_REJECTED
    assert b"\x1b" not in captured.out + captured.err  # no terminal escape gets through
    assert b"Traceback" not in captured.err
