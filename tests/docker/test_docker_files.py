"""docker/: the files parse, say what the README promises, and the image's install steps work.

No Docker engine runs in CI, so the build stage is reproduced instead: the files the
Dockerfile copies go into a temp /app and docker/install.sh (the script the Dockerfile runs)
installs them into a clean venv from the pinned lock.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
NON_ROOT_UID = "10001"


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, ``\\`` continuations joined."""
    logical = re.sub(r"\\\n", " ", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")))
    pairs = []
    for line in logical.splitlines():
        if line.strip():
            instruction, _, args = line.strip().partition(" ")
            pairs.append((instruction.upper(), " ".join(args.split())))
    return pairs


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for pair in instructions:
        if pair[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(pair)
    return found


def copy_sources(stage: list[tuple[str, str]]) -> list[str]:
    """The build-context paths a stage copies (``COPY --from`` copies between stages)."""
    sources: list[str] = []
    for instruction, args in stage:
        if instruction == "COPY" and not args.startswith("--from"):
            sources.extend(args.split()[:-1])
    return sources


INSTRUCTIONS = dockerfile_instructions((DOCKER / "Dockerfile").read_text())
BUILD, RUNTIME = stages(INSTRUCTIONS)


def load_yaml(name: str) -> list[Any]:
    return list(yaml.safe_load_all((DOCKER / name).read_text()))


def test_the_image_is_python_311_slim_in_both_stages() -> None:
    base = next(args for instruction, args in INSTRUCTIONS if instruction == "ARG")

    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11(\.\d+)?-slim(-\w+)?(@sha256:[0-9a-f]{64})?",
                        base)
    assert [stage[0][1] for stage in (BUILD, RUNTIME)] == [
        "${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_the_image_runs_as_a_non_root_user_with_the_adapter_as_entrypoint() -> None:
    runtime = dict(RUNTIME)

    assert runtime["USER"] == f"{NON_ROOT_UID}:{NON_ROOT_UID}"
    assert runtime["ENTRYPOINT"] == '["sstr-adapter"]'
    assert runtime["CMD"] == '["run"]'


def test_the_image_installs_only_through_the_pinned_install_script() -> None:
    runs = [args for instruction, args in INSTRUCTIONS if instruction == "RUN"]

    assert any(run.startswith("sh docker/install.sh /opt/venv /app") for run in runs)
    assert not any("pip install" in run for run in runs)


def test_every_file_the_image_copies_exists_and_passes_the_dockerignore() -> None:
    allowed = [line[1:].rstrip("/") for line in
               (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
               if line.startswith("!")]

    for source in copy_sources(BUILD):
        assert (ROOT / source).exists(), source
        assert any(source.rstrip("/") == entry or source.startswith(entry + "/")
                   for entry in allowed), source


def test_the_lock_pins_every_runtime_dependency_at_the_pyproject_version() -> None:
    def normalise(requirement: str) -> str:
        name, _, version = requirement.partition("==")
        return f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}"

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    locked = {normalise(line.strip()) for line in (DOCKER / "requirements.lock").read_text()
              .splitlines() if line.strip() and not line.startswith("#")}

    assert {normalise(requirement) for requirement in declared} <= locked
    assert all("==" in line for line in locked)


def test_the_compose_file_runs_rabbitmq_with_management_beside_the_worker_and_api() -> None:
    (compose,) = load_yaml("compose.yaml")
    services = compose["services"]

    assert re.fullmatch(r"rabbitmq:3\.1\d(\.\d+)?-management", services["rabbitmq"]["image"])
    assert services["worker"]["command"] == ["run"]
    assert services["api"]["command"] == ["serve"]
    for name in ("worker", "api", "filedrop"):
        assert services[name]["user"] == f"{NON_ROOT_UID}:{NON_ROOT_UID}"
        assert services[name]["read_only"] is True
    assert "SSTR_AMQP_URL" in services["worker"]["environment"]
    assert "SSTR_AMQP_URL" not in services["filedrop"]["environment"]
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert published and all(port.startswith("127.0.0.1:") for port in published)


@pytest.fixture(scope="module")
def kubernetes() -> dict[tuple[str, str], dict[str, Any]]:
    return {(doc["kind"], doc["metadata"]["name"]): doc
            for doc in load_yaml("k8s/sstr-adapter.yaml")}


@pytest.mark.parametrize("deployment", ["sstr-worker", "sstr-api"])
def test_every_kubernetes_deployment_is_non_root_read_only_and_bounded(
    kubernetes: dict[tuple[str, str], dict[str, Any]], deployment: str,
) -> None:
    pod = kubernetes[("Deployment", deployment)]["spec"]["template"]["spec"]

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == int(NON_ROOT_UID)
    for container in pod["containers"]:
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert set(container["resources"]) == {"requests", "limits"}
        assert "livenessProbe" in container


def test_the_kubernetes_workers_scale_out_and_read_the_broker_url_from_a_secret(
    kubernetes: dict[tuple[str, str], dict[str, Any]],
) -> None:
    worker = kubernetes[("Deployment", "sstr-worker")]
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item for item in container["env"]}
    hpa = kubernetes[("HorizontalPodAutoscaler", "sstr-worker")]["spec"]

    assert worker["spec"]["replicas"] > 1
    assert env["SSTR_AMQP_URL"]["valueFrom"]["secretKeyRef"]["name"] in {
        name for kind, name in kubernetes if kind == "Secret"}
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "sstr-worker"}
    assert hpa["minReplicas"] < hpa["maxReplicas"]


def test_the_kubernetes_api_is_probed_on_healthz_and_readyz(
    kubernetes: dict[tuple[str, str], dict[str, Any]],
) -> None:
    (api,) = kubernetes[("Deployment", "sstr-api")]["spec"]["template"]["spec"]["containers"]

    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"


@pytest.mark.slow
def test_the_images_install_steps_succeed_in_a_clean_venv(tmp_path: Path) -> None:
    app = tmp_path / "app"
    for source in copy_sources(BUILD):
        origin, target = ROOT / source, app / source
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, target)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SSTR_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{Path(sys.base_prefix) / 'bin'}:{env.get('PATH', '')}"

    installed = subprocess.run(["sh", str(app / "docker/install.sh"), str(tmp_path / "venv"),
                                str(app)], cwd=app, env=env, capture_output=True, text=True,
                               timeout=600)
    drained = subprocess.run([str(tmp_path / "venv/bin/sstr-adapter"), "run", "--once",
                              "--drop-dir", str(tmp_path / "drop")], cwd=tmp_path,
                             env={**env, "SSTR_METRICS_PORT": "0"}, capture_output=True,
                             text=True, timeout=120)

    assert installed.returncode == 0, installed.stderr[-2000:]
    assert "sstr-adapter 0.1.0" in installed.stdout
    assert drained.returncode == 0, drained.stderr[-2000:]
    assert "processed" in drained.stdout
