"""``sstr-adapter score``: the one-shot CLI."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from adapter.cli import EXIT_OK, EXIT_REJECTED, EXIT_UNAVAILABLE, EXIT_USAGE, main
from adapter.tools.examples import EXAMPLES_DIR, FIGURES, input_path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_scoring_a_file_writes_the_response_bundle_and_exits_0(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    code = main(["score", str(input_path("figure-09"))])

    out = capsysbinary.readouterr().out
    assert code == EXIT_OK
    golden = (EXAMPLES_DIR / "figure-09-output.json").read_bytes()
    assert out == orjson.dumps(orjson.loads(golden)) + b"\n"


def test_scoring_stdin_reads_the_message_from_standard_input(
    capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = input_path("figure-08").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(body)))

    code = main(["score", "-"])

    assert code == EXIT_OK
    assert orjson.loads(capsysbinary.readouterr().out)["resourceType"] == "Bundle"


def test_a_rejected_message_writes_the_operation_outcome_and_exits_1(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    code = main(["score", str(CORPUS / "uptake-level-5.json")])

    outcome = orjson.loads(capsysbinary.readouterr().out)
    assert code == EXIT_REJECTED
    assert outcome["resourceType"] == "OperationOutcome"


def test_summary_prints_the_lesion_table_score_prrt_and_next_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["score", "--summary", str(input_path("figure-10"))])

    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert out.splitlines()[0].split()[:2] == ["Lesion", "Site"]
    for expected in ("L1", "L2", "L3", "Overall SSTR-RADS-5", "Lesions: L1 SSTR-RADS-2",
                     "PRRT definitely to be considered", "Caveat:",
                     "Next steps: SSTR-RADS-5 (L3): biopsy unlikely to be of value.",
                     "Missing minimum data:"):
        assert expected in out
    assert len(out.splitlines()) < 25


def test_examples_prints_one_line_per_example_with_the_papers_category(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["score", "--examples"])

    lines = capsys.readouterr().out.splitlines()
    assert code == EXIT_OK
    assert len(lines) == len(list(EXAMPLES_DIR.glob("*-input.json")))
    for name, (category, _) in FIGURES.items():
        line = next(x for x in lines if x.startswith(f"{name}-input.json"))
        assert f"SSTR-RADS-{category} " in line


@pytest.mark.parametrize("argv", [["score"], ["score", "--examples", "x.json"]])
def test_file_and_examples_are_exclusive_and_one_is_required(argv: list[str]) -> None:
    assert main(argv) == EXIT_USAGE


def test_a_missing_file_exits_with_the_unavailable_code(tmp_path: Path) -> None:
    assert main(["score", str(tmp_path / "absent.json")]) == EXIT_UNAVAILABLE
