"""docker/: the cluster compose file, its RabbitMQ settings and the Kubernetes cluster example."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from adapter.messaging.rabbitmq import broker_urls

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def _yaml(name: str) -> list[Any]:
    return list(yaml.safe_load_all((DOCKER / name).read_text()))


def _conf(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_cluster_compose_file_runs_three_nodes_that_list_each_other() -> None:
    (compose,) = _yaml("compose.cluster.yaml")
    nodes = {name: s for name, s in compose["services"].items() if name.startswith("rabbitmq")}
    conf = _conf((DOCKER / "rabbitmq" / "cluster.conf").read_text())

    listed = {v for k, v in conf.items() if k.startswith("cluster_formation.classic_config")}
    assert listed == {f"rabbit@{s['hostname']}" for s in nodes.values()}
    assert len(nodes) == 3
    assert all(any(v.startswith("./rabbitmq/cluster.conf:") for v in s["volumes"])
               for s in nodes.values())


def test_the_cluster_pauses_a_minority_and_balances_queue_leaders() -> None:
    conf = _conf((DOCKER / "rabbitmq" / "cluster.conf").read_text())
    (operator,) = _yaml("k8s/rabbitmq-cluster.yaml")

    assert conf["cluster_partition_handling"] == "pause_minority"
    assert conf["queue_leader_locator"] == "balanced"
    assert operator["spec"]["replicas"] == 3
    assert "cluster_partition_handling = pause_minority" in \
        operator["spec"]["rabbitmq"]["additionalConfig"]


def test_every_worker_of_the_cluster_stack_gets_every_nodes_address() -> None:
    (compose,) = _yaml("compose.cluster.yaml")
    worker = compose["services"]["worker"]
    url = worker["environment"]["SSTR_AMQP_URL"].replace("${RABBITMQ_PASSWORD:?set "
                                                         "RABBITMQ_PASSWORD}", "pw")

    hosts = [urlsplit(u).hostname for u in broker_urls(url)]

    assert hosts == ["rabbitmq", "rabbitmq-2", "rabbitmq-3"]
    assert set(worker["depends_on"]) == {"rabbitmq", "rabbitmq-2", "rabbitmq-3"}
    assert worker["extends"] == {"file": "compose.yaml", "service": "worker"}
