"""A real ``sstr-adapter serve`` on loopback against clients that misbehave on the wire.

Idle and half-sent connections, trickled bodies, malformed heads and a full house: the
probes keep answering, stuck connections are closed, and every answer the server gives
is a FHIR OperationOutcome.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "fhir_profiles" / "examples" / "figure-08-input.json").read_bytes()
TOKEN = "hostile-client-tests-" + "0123456789abcdef" * 3
REQUEST_TIMEOUT_S = 2.0
BODY_TIMEOUT_S = 1.0
SEND_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Served:
    port: int
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(**env: str) -> Iterator[Served]:
    port = _free_port()
    environment = {**os.environ, "SSTR_HTTP_HOST": "127.0.0.1", "SSTR_HTTP_PORT": str(port),
                   "SSTR_API_TOKEN": TOKEN, "SSTR_LOG_LEVEL": "WARNING",
                   "SSTR_HTTP_REQUEST_TIMEOUT_S": str(REQUEST_TIMEOUT_S),
                   "SSTR_HTTP_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
                   "SSTR_HTTP_SEND_TIMEOUT_S": str(SEND_TIMEOUT_S), **env}
    environment.pop("SSTR_API_AUTH", None)
    process = subprocess.Popen([sys.executable, "-m", "adapter.cli", "serve"], cwd=ROOT,
                               env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):  # bounded wait for start-up, not a timing assertion
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield Served(port, process)
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    yield from _serve()


@pytest.fixture(scope="module")
def small_server() -> Iterator[Served]:
    """Room for 8 connections and 2 requests in flight."""
    yield from _serve(SSTR_HTTP_MAX_CONNECTIONS="8", SSTR_HTTP_LIMIT_CONCURRENCY="2")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def outcome(self) -> dict[str, object]:
        assert self.headers["content-type"] == "application/fhir+json"
        resource: dict[str, object] = orjson.loads(self.body)
        assert resource["resourceType"] == "OperationOutcome"
        return resource


def _connect(port: int, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    if data:
        sock.sendall(data)
    return sock


def _read_answer(sock: socket.socket) -> Answer:
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed after {raw[:200]!r}")
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Answer(int(status_line.split()[1]), headers, body[:length])


def _exchange(port: int, data: bytes) -> Answer:
    with _connect(port, data) as sock:
        return _read_answer(sock)


def _get(port: int, path: str, method: str = "GET") -> Answer:
    return _exchange(port, f"{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                     .encode())


def _post(port: int, body: bytes = EXAMPLE) -> Answer:
    head = (f"POST /$process-message HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/fhir+json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    return _exchange(port, head + body)


def _closed_by_server(sock: socket.socket, within_s: float) -> tuple[bool, bytes]:
    """Whether the server closed ``sock`` within ``within_s``, and what it sent first."""
    sock.settimeout(within_s)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return False, received
    except ConnectionResetError:
        pass
    return True, received


def test_idle_and_half_sent_connections_neither_starve_probes_nor_stay_open(
    server: Served,
) -> None:
    silent = [_connect(server.port) for _ in range(40)]
    request_line_only = [_connect(server.port, b"POST /$process-message HTTP/1.1\r\n")
                         for _ in range(40)]
    try:
        time.sleep(0.3)  # let the server accept every connection
        assert _get(server.port, "/healthz").status == 200
        assert _get(server.port, "/readyz", "HEAD").status == 200
        assert _post(server.port).status == 200  # and the API itself is not starved

        outcomes = [_closed_by_server(s, REQUEST_TIMEOUT_S + 8) for s in
                    silent + request_line_only]
    finally:
        for sock in silent + request_line_only:
            sock.close()

    assert all(closed for closed, _ in outcomes)
    assert {sent for _, sent in outcomes[:40]} == {b""}  # nothing was asked: nothing said
    for _, sent in outcomes[40:]:
        head, _, body = sent.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 ")
        assert orjson.loads(body)["issue"][0]["code"] == "timeout"


def test_a_trickled_request_head_is_cut_off_at_the_deadline(server: Served) -> None:
    sock = _connect(server.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
    sock.settimeout(0.5)
    received: bytes | None = None
    give_up = time.monotonic() + REQUEST_TIMEOUT_S + 8
    try:
        while received is None and time.monotonic() < give_up:
            try:
                sock.sendall(b"X-Slow: 1\r\n")  # a header line every 0.5 s, never the end
                received = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:  # reset: the server closed while a line was in flight
                received = b""
    finally:
        sock.close()

    assert received is not None, "the trickle kept the connection open"
    assert received == b"" or received.startswith(b"HTTP/1.1 408 ")


def test_a_trickled_body_gets_408_and_the_connection_is_then_closed(server: Served) -> None:
    head = (f"POST /$process-message HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/fhir+json\r\nContent-Length: 5000\r\n\r\n{").encode()
    with _connect(server.port, head) as sock:
        answer = _read_answer(sock)
        closed, _ = _closed_by_server(sock, REQUEST_TIMEOUT_S + 8)

    assert answer.status == 408
    assert answer.outcome()["issue"][0]["code"] == "timeout"  # type: ignore[index]
    assert closed


MALFORMED = {
    "content-length not a number": (
        b"POST /$process-message HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n", 400),
    "negative content-length": (
        b"POST /$process-message HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400),
    "two different content-lengths": (
        b"POST /$process-message HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n"
        b"Content-Length: 2\r\n\r\n{}", 400),
    "content-length and transfer-encoding": (
        b"POST /$process-message HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "unsupported transfer-encoding": (
        b"POST /$process-message HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    "bad chunk size": (
        b"POST /$process-message HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"zz\r\n{}\r\n0\r\n\r\n", 400),
    "not http at all": (b"HELLO\r\n\r\n", 400),
    "no host header": (b"GET /healthz HTTP/1.1\r\n\r\n", 400),
    "header without a colon": (b"GET /healthz HTTP/1.1\r\nHost: t\r\nbroken\r\n\r\n", 400),
    "space in the target": (b"GET /health z HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "huge header in one piece": (
        b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n", 431),
    "many headers": (
        b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + b"X-A: b\r\n" * 3000 + b"\r\n", 431),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_request_gets_an_operation_outcome_from_the_parser(
    server: Served, name: str,
) -> None:
    data, status = MALFORMED[name]

    answer = _exchange(server.port, data)

    assert answer.status == status
    assert answer.headers["connection"] == "close"
    assert answer.outcome()["issue"]


@pytest.mark.parametrize(("request_head", "status"), [
    ("FOO /healthz HTTP/1.1", 405), ("DELETE /$process-message HTTP/1.1", 405),
    ("GET /../../etc/passwd HTTP/1.1", 404), ("GET /%00 HTTP/1.1", 404),
    ("GET /" + "a" * 8000 + " HTTP/1.1", 404),
])
def test_unknown_methods_and_odd_paths_get_an_operation_outcome(
    server: Served, request_head: str, status: int,
) -> None:
    answer = _exchange(server.port, f"{request_head}\r\nHost: t\r\nConnection: close\r\n"
                                    f"Authorization: Bearer {TOKEN}\r\n\r\n".encode())

    assert answer.status == status
    assert answer.outcome()["issue"]


def test_head_on_the_probes_answers_200_without_a_body(server: Served) -> None:
    for path in ("/healthz", "/readyz"):
        answer = _get(server.port, path, "HEAD")
        assert answer.status == 200
        assert answer.body == b""


def test_an_oversized_body_gets_413_naming_the_bundle(server: Served) -> None:
    answer = _post(server.port, b"{" + b" " * 2_100_000 + b"}")

    assert answer.status == 413
    (issue,) = answer.outcome()["issue"]  # type: ignore[misc]
    assert issue["code"] == "too-long" and issue["expression"] == ["Bundle"]


def test_past_the_request_limit_the_api_answers_503_but_the_probes_200(
    small_server: Served,
) -> None:
    head = (f"POST /$process-message HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/fhir+json\r\nContent-Length: 5000\r\n\r\n{").encode()
    stalled = [_connect(small_server.port, head) for _ in range(2)]  # both slots taken
    try:
        time.sleep(0.3)
        busy = _post(small_server.port)
        probes = [_get(small_server.port, "/healthz").status,
                  _get(small_server.port, "/readyz").status]
    finally:
        for sock in stalled:
            sock.close()

    assert busy.status == 503
    assert busy.headers["retry-after"] == "1"
    assert busy.outcome()["issue"][0]["code"] == "throttled"  # type: ignore[index]
    assert probes == [200, 200]


def test_past_the_connection_cap_the_longest_idle_connection_makes_room(
    small_server: Served,
) -> None:
    idle = []
    for _ in range(8):  # the cap
        idle.append(_connect(small_server.port))
        time.sleep(0.02)  # distinct ages
    try:
        time.sleep(1.2)  # idle past the grace that protects just-opened connections
        answer = _get(small_server.port, "/healthz")
        oldest_closed, _ = _closed_by_server(idle[0], 1.0)
        newest_closed, _ = _closed_by_server(idle[-1], 0.2)
    finally:
        for sock in idle:
            sock.close()

    assert answer.status == 200
    assert oldest_closed
    assert not newest_closed


def test_a_full_house_of_fresh_connections_gets_the_newcomer_a_fhir_503(
    small_server: Served,
) -> None:
    fresh = [_connect(small_server.port) for _ in range(8)]
    try:
        answer = _get(small_server.port, "/healthz")
    finally:
        for sock in fresh:
            sock.close()

    assert answer.status == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.outcome()["issue"][0]["code"] == "throttled"  # type: ignore[index]


def test_a_websocket_upgrade_is_not_honoured_and_the_request_answered_as_http(
    server: Served,
) -> None:
    answer = _exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\n"
                                    b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")

    assert answer.status == 200
    assert orjson.loads(answer.body) == {"status": "alive"}


def test_a_burst_of_concurrent_requests_gets_reports_or_fhir_shaped_503s(
    small_server: Served,
) -> None:
    answers: list[Answer] = []
    lock = threading.Lock()

    def one() -> None:
        answer = _post(small_server.port)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(answers) == 40
    assert {a.status for a in answers} <= {200, 503}
    assert any(a.status == 200 for a in answers)
    for answer in answers:
        if answer.status == 503:
            assert answer.outcome()["issue"][0]["code"] == "throttled"  # type: ignore[index]
        else:
            assert orjson.loads(answer.body)["resourceType"] == "Bundle"


def test_a_client_that_stops_reading_its_answers_is_dropped_and_frees_its_slot(
    small_server: Served,
) -> None:
    request = (f"GET /StructureDefinition/sstr-lesion-finding HTTP/1.1\r\nHost: t\r\n"
               f"Authorization: Bearer {TOKEN}\r\n\r\n").encode()  # about 300 kB each
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", small_server.port))
    try:
        sock.sendall(request * 40)  # 12 MB of answers asked for, none read
        time.sleep(SEND_TIMEOUT_S + 1.5)
        after = _post(small_server.port)  # both request slots are free again
        closed, received = _closed_by_server(sock, 10)
    finally:
        sock.close()

    assert after.status == 200
    assert closed
    assert received.count(b"HTTP/1.1 200 ") < 40


def test_after_an_answer_a_half_sent_next_request_is_cut_off_too(server: Served) -> None:
    with _connect(server.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n") as sock:
        first = _read_answer(sock)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # keep-alive, then a stall
        closed, sent = _closed_by_server(sock, REQUEST_TIMEOUT_S + 8)

    assert first.status == 200
    assert closed
    assert sent.startswith(b"HTTP/1.1 408 ")
