"""The file drop over the real pipeline: the paper's worked examples and bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adapter.bootstrap import build_processor
from adapter.messaging.dropdir import DropDir
from adapter.messaging.filedrop import FileDropSummary, run_filedrop
from adapter.service.results import Rejected
from adapter.settings import Settings
from adapter.tools.examples import EXAMPLES_DIR

INPUTS = sorted(EXAMPLES_DIR.glob("*-input.json"))
GOLDEN = sorted(p for p in EXAMPLES_DIR.glob("*.json") if not p.name.endswith("-input.json"))


def drain_examples(root: Path) -> FileDropSummary:
    drop = DropDir(root)
    drop.ensure()
    for source in INPUTS:
        shutil.copyfile(source, drop.inbox / source.name)
    settings = Settings(drop_dir=root)
    return run_filedrop(settings, build_processor(settings), once=True)


def outbox_bodies(root: Path) -> list[bytes]:
    return sorted(p.read_bytes() for p in (root / "outbox").glob("*/*.json"))


def documents(bodies: list[bytes]) -> list[str]:
    """Canonical JSON text: the golden files are pretty-printed, the wire bytes compact."""
    return sorted(json.dumps(json.loads(body), sort_keys=True) for body in bodies)


def test_the_papers_examples_leave_the_outbox_equal_to_the_golden_files(
    tmp_path: Path,
) -> None:
    summary = drain_examples(tmp_path)

    assert documents(outbox_bodies(tmp_path)) == documents([p.read_bytes() for p in GOLDEN])
    assert (summary.processed, summary.outputs) == (len(INPUTS), len(GOLDEN))
    assert len(list((tmp_path / "outbox" / "tumour-board").iterdir())) == len(
        [p for p in GOLDEN if p.name.endswith("-tumour-board-output.json")])


def test_dropping_the_examples_again_republishes_the_same_bytes_without_conflict(
    tmp_path: Path,
) -> None:
    drain_examples(tmp_path)
    first = outbox_bodies(tmp_path)

    again = drain_examples(tmp_path)

    assert outbox_bodies(tmp_path) == first
    assert (again.processed, again.outputs, again.republished, again.rejected) == (
        len(INPUTS), 0, len(GOLDEN), 0)


@pytest.mark.parametrize("body", [b"{not json", b'{"resourceType": "Patient"}', b""],
                         ids=["not-json", "not-a-bundle", "empty"])
def test_bad_input_is_dead_lettered_with_the_pipelines_outcome_and_reason(
    tmp_path: Path, body: bytes,
) -> None:
    drop = DropDir(tmp_path)
    drop.ensure()
    (drop.inbox / "bad.json").write_bytes(body)
    settings = Settings(drop_dir=tmp_path)
    expected = build_processor(settings)(body)
    assert isinstance(expected, Rejected)

    summary = run_filedrop(settings, build_processor(settings), once=True)

    assert (drop.dead_letter / "bad.json").read_bytes() == body
    assert (drop.dead_letter / "bad.json.outcome.json").read_bytes() == expected.outcome
    assert (drop.dead_letter / "bad.json.reason").read_text() == f"{expected.reason}\n"
    assert json.loads(expected.outcome)["resourceType"] == "OperationOutcome"
    assert summary.rejected == 1


def _run_examples(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``sstr-adapter run --examples`` in a subprocess, with no SSTR_ setting inherited."""
    command = Path(sys.executable).with_name("sstr-adapter")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SSTR_")}
    env["SSTR_METRICS_PORT"] = "0"
    return subprocess.run([str(command), "run", "--examples", str(EXAMPLES_DIR),
                           "--drop-dir", str(tmp_path / "drop")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_run_examples_prints_the_counts_and_where_the_outputs_are(tmp_path: Path) -> None:
    done = _run_examples(tmp_path)

    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line.split() for line in done.stdout.splitlines()]
    assert ["processed", str(len(INPUTS))] in lines
    assert ["outputs", str(len(GOLDEN))] in lines
    assert f"{tmp_path / 'drop' / 'outbox' / 'report'}/" in done.stdout


def test_run_examples_prints_each_figures_overall_score_beside_the_papers(tmp_path: Path) -> None:
    done = _run_examples(tmp_path)

    assert done.returncode == 0, done.stderr[-2000:]
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()
            if line.strip().startswith(("figure-", "supplementary-"))}
    assert len(rows) == 11
    for name, row in rows.items():
        assert row[0] == row[1], f"{name}: published {row[0]}, the paper gives {row[1]}"
    assert rows["figure-09-input.json"][2:] == ["definitely-consider", "requested"]
