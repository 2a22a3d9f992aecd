"""Connection parameters, the intake order and the reconnect backoff, without a broker."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from adapter.messaging.port import DELIVERY_COUNT_HEADER, Delivery
from adapter.messaging.rabbitmq import AmqpConfigError, connection_parameters, redacted
from adapter.messaging.retry import Backoff
from adapter.messaging.worker import FRESH_STREAK, Intake
from adapter.settings import Settings


def test_parameters_set_heartbeat_blocked_timeout_and_the_connection_name() -> None:
    settings = Settings(amqp_url="amqp://u:p@broker:5672/", heartbeat_s=15,
                        blocked_connection_timeout_s=20)

    (params,) = connection_parameters(settings, "worker-7")

    assert (params.heartbeat, params.blocked_connection_timeout) == (15, 20)
    assert params.client_properties["connection_name"] == "worker-7"
    assert params.ssl_options is None


def test_amqps_verifies_the_certificate_and_the_host_name() -> None:
    settings = Settings(amqp_url="amqps://u:p@broker.example:5671/")

    (params,) = connection_parameters(settings, "w")

    context = params.ssl_options.context
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert params.ssl_options.server_hostname == "broker.example"


@pytest.mark.parametrize("settings", [
    Settings(amqp_url="http://broker/"),
    Settings(amqp_url="amqps://broker/", amqp_ca_file=Path("/nonexistent/ca.pem")),
])
def test_unusable_amqp_settings_are_configuration_errors(settings: Settings) -> None:
    with pytest.raises(AmqpConfigError):
        connection_parameters(settings, "w")


def test_logged_broker_addresses_never_carry_the_password() -> None:
    assert "secret" not in redacted("amqps://user:secret@broker:5671/vhost")


def _delivery(tag: int, count: int = 0) -> Delivery:
    headers = {DELIVERY_COUNT_HEADER: count} if count else {}
    return Delivery(tag, b"{}", headers=headers)


def test_a_redelivered_message_waits_until_nothing_else_is_unsettled() -> None:
    intake = Intake()
    intake.add(_delivery(1, count=1))
    intake.add(_delivery(2))

    first = intake.next_ready(unsettled=0)
    blocked = intake.next_ready(unsettled=1)
    then = intake.next_ready(unsettled=0)

    assert (first and first.tag, blocked, then and then.tag) == (2, None, 1)


def test_intake_is_careful_while_redeliveries_arrive_until_fresh_ones_follow() -> None:
    intake = Intake()
    starts_careful = intake.careful
    for tag in range(FRESH_STREAK):
        intake.add(_delivery(tag))
    after_fresh = intake.careful
    intake.add(_delivery(9, count=2))

    assert (starts_careful, after_fresh, intake.careful) == (True, False, True)


def test_backoff_grows_to_its_cap_and_resets() -> None:
    backoff = Backoff(cap_s=4.0, draw=lambda low, high: high)

    delays = [backoff.next_delay() for _ in range(6)]
    backoff.reset()

    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert backoff.next_delay() == 0.5
