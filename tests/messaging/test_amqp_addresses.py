"""Several broker addresses, mutual TLS settings, failure causes and leader placement.

No broker: the parameters, the address rotation and the classification of pika's errors
are checked as data. The cluster and TLS behaviour itself is in ``test_amqp_cluster.py``.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pika.credentials
import pika.exceptions
import pytest
from cluster_support import Certificates, make_certificates
from pika.adapters.utils.connection_workflow import (
    AMQPConnectionWorkflowFailed,
    AMQPConnectorSocketConnectError,
    AMQPConnectorTransportSetupError,
)

from adapter.messaging.rabbitmq import (
    AmqpConfigError,
    broker_urls,
    configuration_problem,
    connection_parameters,
    describe,
    failure_reason,
)
from adapter.messaging.retry import Rotation
from adapter.messaging.topology import topology_from
from adapter.settings import Settings

THREE = "amqps://u:p%2Cw@n1:5671/prod,amqps://n2:5671,amqps://other:pw@n3/staging"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


def test_several_urls_give_one_address_each_in_order_with_the_first_ones_login_and_vhost() -> None:
    params = connection_parameters(Settings(amqp_url=THREE), "w")

    assert [(p.host, p.port, p.virtual_host) for p in params] == [
        ("n1", 5671, "prod"), ("n2", 5671, "prod"), ("n3", 5671, "staging")]
    assert [(p.credentials.username, p.credentials.password) for p in params] == [
        ("u", "p,w"), ("u", "p,w"), ("other", "pw")]
    assert all(p.ssl_options.server_hostname == p.host for p in params)


def test_a_comma_in_a_password_does_not_split_the_url() -> None:
    assert broker_urls("amqp://u:a,b@n1/, amqp://n2") == ["amqp://u:a,b@n1/", "amqp://u:a,b@n2"]


def test_every_address_gets_the_timeouts_and_one_attempt() -> None:
    settings = Settings(amqp_url="amqp://n1,amqp://n2", heartbeat_s=7, socket_timeout_s=3,
                        connection_timeout_s=9, blocked_connection_timeout_s=20)

    params = connection_parameters(settings, "w")

    assert {(p.heartbeat, p.socket_timeout, p.stack_timeout, p.blocked_connection_timeout,
             p.connection_attempts) for p in params} == {(7, 3, 9, 20, 1)}


def test_the_defaults_notice_a_dead_node_in_seconds() -> None:
    s = Settings()

    assert (s.heartbeat_s, s.socket_timeout_s, s.connection_timeout_s,
            s.blocked_connection_timeout_s, s.reconnect_max_backoff_s) == (10, 5, 10, 60, 10)


@pytest.mark.parametrize(("url", "problem"), [
    ("", "not set"),
    ("amqp://n1,http://n2", "address 2 must be"),
    ("amqp://n1,amqp://", "address 2 must be"),
    ("amqps://n1/?ssl_options=%7B%7D", "SSTR_AMQP_CA_FILE"),
    ("amqp://n1/?heartbeat=600", "SSTR_HEARTBEAT_S"),
])
def test_unusable_urls_are_configuration_errors_naming_the_address(url: str, problem: str) -> None:
    with pytest.raises(AmqpConfigError, match=problem):
        connection_parameters(Settings(amqp_url=url), "w")


def test_logged_addresses_carry_scheme_host_and_port_only() -> None:
    params = connection_parameters(Settings(amqp_url=THREE), "w")

    assert [describe(p) for p in params] == [
        "amqps://n1:5671", "amqps://n2:5671", "amqps://n3:5671"]


def test_a_client_certificate_without_a_password_in_the_url_logs_in_with_external(
    certs: Certificates,
) -> None:
    settings = Settings(amqp_url="amqps://n1:5671/,amqps://u:p@n2:5671/",
                        amqp_ca_file=certs.ca, amqp_cert_file=certs.client_cert,
                        amqp_key_file=certs.client_key)

    external, plain = connection_parameters(settings, "w")

    assert isinstance(external.credentials, pika.credentials.ExternalCredentials)
    assert isinstance(plain.credentials, pika.credentials.PlainCredentials)
    assert external.ssl_options.context.verify_mode is ssl.CERT_REQUIRED


def test_an_encrypted_key_loads_with_its_password(certs: Certificates) -> None:
    settings = Settings(amqp_url="amqps://n1/", amqp_ca_file=certs.ca,
                        amqp_cert_file=certs.client_cert,
                        amqp_key_file=certs.client_key_encrypted,
                        amqp_key_password=certs.key_password)

    (params,) = connection_parameters(settings, "w")

    assert isinstance(params.credentials, pika.credentials.ExternalCredentials)


@pytest.mark.parametrize(("change", "problem"), [
    ({"amqp_key_password": "wrong"}, "cannot be loaded"),
    ({"amqp_key_password": None}, "cannot be loaded"),
    ({"amqp_key_file": "server.key"}, "cannot be loaded"),
    ({"amqp_cert_file": "missing.pem"}, "SSTR_AMQP_CERT_FILE does not name a readable file"),
    ({"amqp_cert_file": None}, "SSTR_AMQP_KEY_FILE is set without SSTR_AMQP_CERT_FILE"),
    ({"amqp_url": "amqp://n1/"}, "not amqps"),
])
def test_unusable_client_certificate_settings_are_configuration_errors(
    certs: Certificates, change: dict[str, str | None], problem: str,
) -> None:
    values: dict[str, object] = {
        "amqp_url": "amqps://n1/", "amqp_ca_file": certs.ca,
        "amqp_cert_file": certs.client_cert, "amqp_key_file": certs.client_key_encrypted,
        "amqp_key_password": certs.key_password}
    for key, value in change.items():
        values[key] = certs.folder / value if key.endswith("_file") and value else value

    with pytest.raises(AmqpConfigError, match=problem) as raised:
        connection_parameters(Settings(**values), "w")  # type: ignore[arg-type]

    assert certs.key_password not in str(raised.value)


def _workflow_failed(inner: BaseException) -> AMQPConnectionWorkflowFailed:
    return AMQPConnectionWorkflowFailed([AMQPConnectorTransportSetupError(inner)])


def _closed_by_broker(code: int, text: str, error: type[Exception]) -> Exception:
    return error(repr(pika.exceptions.ConnectionClosedByBroker(code, text)))


def _verify_failed(message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {message}")
    error.verify_message = message
    return error


@pytest.mark.parametrize(("error", "cause"), [
    (_workflow_failed(_verify_failed("certificate has expired")),
     "TLS: the broker's certificate is not accepted: certificate has expired"),
    (_workflow_failed(_verify_failed("Hostname mismatch, certificate is not valid for 'x'.")),
     "Hostname mismatch"),
    (pika.exceptions.IncompatibleProtocolError(
        "StreamLostError: (\"Stream connection lost: SSLError(1, '[SSL: TLSV1_ALERT_UNKNOWN_CA]"
        " tlsv1 alert unknown ca')\",)"), "TLS handshake refused (UNKNOWN_CA)"),
    (_closed_by_broker(403, "ACCESS_REFUSED - Login was refused using authentication "
                            "mechanism PLAIN.", pika.exceptions.ProbableAuthenticationError),
     "credentials refused by the broker (ACCESS_REFUSED - Login was refused"),
    (_closed_by_broker(530, "NOT_ALLOWED - vhost prod not found",
                       pika.exceptions.ProbableAccessDeniedError),
     "virtual host not found or not allowed (NOT_ALLOWED - vhost prod not found)"),
    (pika.exceptions.AuthenticationError("EXTERNAL"), "does not offer the login mechanism"),
    (pika.exceptions.IncompatibleProtocolError("StreamLostError: reset"), "does not speak AMQP"),
])
def test_failures_that_only_a_configuration_change_mends_are_named(
    error: BaseException, cause: str,
) -> None:
    assert cause in (configuration_problem(error) or "")


@pytest.mark.parametrize("error", [
    AMQPConnectionWorkflowFailed([AMQPConnectorSocketConnectError(ConnectionRefusedError(111))]),
    _workflow_failed(ssl.SSLEOFError(8, "EOF occurred in violation of protocol")),
    pika.exceptions.AMQPConnectionError(TimeoutError()),
    pika.exceptions.ProbableAuthenticationError(repr(pika.exceptions.StreamLostError("lost"))),
    _closed_by_broker(530, "NOT_ALLOWED - access to vhost '/' refused for user 'u': vhost '/' "
                           "is down", pika.exceptions.ProbableAccessDeniedError),
    _closed_by_broker(530, "NOT_ALLOWED - access to vhost '/' refused for user 'u': "
                           "connection limit (10) is reached",
                      pika.exceptions.ProbableAccessDeniedError),
    pika.exceptions.ConnectionClosedByBroker(320, "CONNECTION_FORCED - shutdown"),
])
def test_transient_failures_are_retried(error: BaseException) -> None:
    assert configuration_problem(error) is None


def test_the_rotation_starts_at_random_moves_on_at_once_and_pauses_after_a_full_round() -> None:
    rotation = Rotation(3, draw=lambda size: 2)
    start = rotation.index

    visited, pauses = [], []
    for _ in range(6):
        pauses.append(rotation.advance())
        visited.append(rotation.index)

    assert (start, visited) == (2, [0, 1, 2, 0, 1, 2])
    assert pauses == [False, False, True, False, False, True]


def test_a_good_session_starts_a_new_round() -> None:
    rotation = Rotation(3, draw=lambda size: 0)
    rotation.advance()
    rotation.succeeded()

    assert [rotation.advance() for _ in range(3)] == [False, False, True]


def test_one_address_pauses_before_every_retry() -> None:
    rotation = Rotation(1)

    assert [rotation.advance() for _ in range(3)] == [True, True, True]
    assert rotation.index == 0


def test_workers_start_on_different_addresses() -> None:
    assert len({Rotation(3).index for _ in range(200)}) == 3


def test_quorum_queue_leaders_are_balanced_unless_switched_off() -> None:
    balanced = topology_from(Settings())
    client_local = topology_from(Settings(queue_leader_locator=""))

    assert {q.arguments.get("x-queue-leader-locator") for q in balanced.queues} == {"balanced"}
    assert all("x-queue-leader-locator" not in q.arguments for q in client_local.queues)


def test_certificates_for_the_tests_are_made_for_localhost_only(certs: Certificates) -> None:
    context = ssl.create_default_context(cafile=str(certs.ca))
    context.load_cert_chain(str(certs.client_cert), str(certs.client_key))

    assert Path(certs.server_cert).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_a_transient_failure_is_logged_by_what_lies_under_pikas_wrappers() -> None:
    error = AMQPConnectionWorkflowFailed(
        [AMQPConnectorSocketConnectError(ConnectionRefusedError(111, "Connection refused"))])

    assert failure_reason(error) == "ConnectionRefusedError: [Errno 111] Connection refused"
