"""``sstr-adapter dlq`` against the real broker: browse without loss, replay with the same id."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from amqp_support import Names, Worker, connect, publish, queue_depth

from adapter.cli import main

pytestmark = pytest.mark.broker

SECRET = "Zzyzx-Patientname"
BAD = [(f"bad-{i}", b'{"resourceType":"Patient","name":[{"family":"%s"}]}' % SECRET.encode())
       for i in range(3)]


@pytest.fixture
def dead_letters(names: Names, start_worker: Callable[..., Worker],
                 monkeypatch: pytest.MonkeyPatch) -> Names:
    """Three rejected inputs in the DLQ, put there by a real worker; SSTR_ env set."""
    worker = start_worker()
    publish(names, BAD)
    deadline = time.monotonic() + 60
    while queue_depth(names.settings.dead_letter_queue) < len(BAD):
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.1)
    assert worker.stop() == 0
    for key, value in names.env().items():
        if key.startswith("SSTR_"):
            monkeypatch.setenv(key, value)
    return names


def test_list_shows_ids_and_reasons_but_no_content_and_removes_nothing(
    dead_letters: Names, capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["dlq", "list"])

    out = capsys.readouterr().out
    assert code == 0
    assert all(mid in out for mid, _ in BAD)
    assert SECRET not in out
    assert queue_depth(dead_letters.settings.dead_letter_queue) == len(BAD)


def test_show_prints_the_outcome_and_the_body_only_when_asked(
    dead_letters: Names, capsys: pytest.CaptureFixture[str],
) -> None:
    main(["dlq", "show", "bad-1"])
    without_body = capsys.readouterr().out
    main(["dlq", "show", "bad-1", "--body"])
    with_body = capsys.readouterr().out

    assert "OperationOutcome" in without_body
    assert SECRET not in without_body
    assert SECRET in with_body
    assert queue_depth(dead_letters.settings.dead_letter_queue) == len(BAD)


def test_show_of_an_unknown_id_exits_2(dead_letters: Names) -> None:
    assert main(["dlq", "show", "no-such-id"]) == 2


def test_replay_moves_one_message_back_to_the_input_with_its_original_id(
    dead_letters: Names,
) -> None:
    s = dead_letters.settings

    code = main(["dlq", "replay", "bad-2"])

    assert code == 0
    assert queue_depth(s.dead_letter_queue) == len(BAD) - 1
    conn = connect()
    method, props, body = conn.channel().basic_get(s.input_queue, auto_ack=True)
    conn.close()
    assert method is not None
    assert (props.message_id, body) == ("bad-2", BAD[2][1])
    assert not any(k.startswith("x-sstr-reason") for k in (props.headers or {}))


def test_replay_all_empties_the_dead_letter_queue_into_the_input(dead_letters: Names) -> None:
    s = dead_letters.settings

    code = main(["dlq", "replay", "--all"])

    assert code == 0
    assert queue_depth(s.dead_letter_queue) == 0
    assert queue_depth(s.input_queue) == len(BAD)
