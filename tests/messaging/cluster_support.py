"""A private 3-node RabbitMQ cluster (and its TLS listeners) on this machine, for the tests.

The nodes are ``sstr-test-c1@localhost`` ... ``c3``: AMQP on 5781-5783, TLS on 5791-5793,
Erlang distribution on 25781-25783, no management plugin, data and logs under one temp
folder, one Erlang cookie (the servers and the CLI share a ``HOME`` in that folder). The
shared broker on 5672 is never touched: every command names its node with ``-n``, and a node
is killed only by the pid its own pid file holds. The scripts are called directly (Debian's
``/usr/sbin`` wrappers switch to the ``rabbitmq`` user and drop the environment).

Certificates are made with the ``openssl`` command: a CA, a server certificate for
``localhost`` only (so ``127.0.0.1`` is a host-name mismatch), a client certificate whose
common name is the EXTERNAL user, and a second, unrelated CA.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SBIN = Path(os.environ.get("SSTR_TEST_RABBITMQ_SBIN", "/usr/lib/rabbitmq/bin"))
NODE_PREFIX = "sstr-test-c"
AMQP_BASE, TLS_BASE, DIST_BASE = 5780, 5790, 25780
CLIENT_CN = "sstr-test-client"
START_TIMEOUT_S = 180


class ClusterError(Exception):
    """A node could not be started, joined or stopped."""


@dataclass(frozen=True)
class Certificates:
    """PEM files of a test PKI."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def other_ca(self) -> Path:
        return self.folder / "other-ca.pem"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server.key"

    @property
    def client_cert(self) -> Path:
        return self.folder / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.folder / "client.key"

    @property
    def client_key_encrypted(self) -> Path:
        return self.folder / "client-encrypted.key"

    key_password = "test-key-password"


def _openssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True,
                   capture_output=True, timeout=60)


def make_certificates(folder: Path) -> Certificates:
    """A CA, a server certificate for DNS:localhost, a client certificate, another CA."""
    folder.mkdir(parents=True, exist_ok=True)
    certs = Certificates(folder)
    for name in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-keyout", f"{name}.key", "-out", f"{name}.pem",
                 "-subj", f"/CN=sstr test {name}", cwd=folder)
    (folder / "server.ext").write_text(
        "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
    (folder / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name, cn in (("server", "localhost"), ("client", CLIENT_CN)):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
                 "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=folder)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext",
                 "-out", f"{name}.pem", cwd=folder)
    _openssl("pkey", "-in", "client.key", "-aes256", "-passout",
             f"pass:{Certificates.key_password}", "-out", "client-encrypted.key", cwd=folder)
    for key in folder.glob("*.key"):
        key.chmod(0o644)  # the broker reads the server key; everything here is throwaway
    return certs


@dataclass
class Node:
    """One broker node of the test cluster."""

    index: int
    base: Path
    certs: Certificates
    home: Path

    @property
    def name(self) -> str:
        return f"{NODE_PREFIX}{self.index}@localhost"

    @property
    def amqp_port(self) -> int:
        return AMQP_BASE + self.index

    @property
    def tls_port(self) -> int:
        return TLS_BASE + self.index

    @property
    def folder(self) -> Path:
        return self.base / f"c{self.index}"

    @property
    def pid_file(self) -> Path:
        return self.folder / "beam.pid"

    def url(self, user: str = "guest", password: str = "guest", vhost: str = "%2F") -> str:
        return f"amqp://{user}:{password}@127.0.0.1:{self.amqp_port}/{vhost}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("RABBITMQ_", "ERL_", "SSTR_"))}
        env.update(
            HOME=str(self.home),
            RABBITMQ_CONF_ENV_FILE=str(self.folder / "rabbitmq-env.conf"),
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.amqp_port),
            RABBITMQ_DIST_PORT=str(DIST_BASE + self.index),
            RABBITMQ_CONFIG_FILE=str(self.folder / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(self.folder / "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.folder / "enabled_plugins"),
            RABBITMQ_MNESIA_BASE=str(self.folder / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.folder / "log"),
            RABBITMQ_PID_FILE=str(self.pid_file),
            ERL_EPMD_ADDRESS="127.0.0.1",
            ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )
        return env

    def write_config(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "rabbitmq-env.conf").write_text("")
        (self.folder / "enabled_plugins").write_text("[rabbitmq_auth_mechanism_ssl].\n")
        c = self.certs
        (self.folder / "rabbitmq.conf").write_text("\n".join([
            f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}",
            f"listeners.ssl.default = 127.0.0.1:{self.tls_port}",
            f"ssl_options.cacertfile = {c.ca}",
            f"ssl_options.certfile = {c.server_cert}",
            f"ssl_options.keyfile = {c.server_key}",
            "ssl_options.verify = verify_peer",
            "ssl_options.fail_if_no_peer_cert = false",
            "auth_mechanisms.1 = PLAIN",
            "auth_mechanisms.2 = AMQPLAIN",
            "auth_mechanisms.3 = EXTERNAL",
            "ssl_cert_login_from = common_name",
            "loopback_users = none",
            "cluster_partition_handling = pause_minority",
            "queue_leader_locator = balanced",
            "vm_memory_high_watermark.absolute = 1GB",
            "disk_free_limit.absolute = 50MB",
            "log.file.level = warning",
            "",
        ]))

    def start(self) -> None:
        """Start detached (returns at once; :meth:`await_startup` waits)."""
        self.write_config()
        self.pid_file.unlink(missing_ok=True)
        subprocess.run([str(SBIN / "rabbitmq-server"), "-detached"], env=self.env(),
                       check=True, capture_output=True, timeout=60)

    def ctl(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        done = subprocess.run([str(SBIN / "rabbitmqctl"), "-n", self.name, *args],
                              env=self.env(), capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise ClusterError(f"rabbitmqctl -n {self.name} {' '.join(args)}: "
                               f"{(done.stderr or done.stdout).strip()[-500:]}")
        return done.stdout

    def await_startup(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not self.pid_file.exists():
            if time.monotonic() > deadline:
                raise ClusterError(f"{self.name} wrote no pid file: {self.startup_log()}")
            time.sleep(0.2)
        self.ctl("await_startup", "--timeout", str(int(timeout)), timeout=timeout + 10)

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def alive(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        """kill -9 this node's Erlang VM (by its own pid file only)."""
        pid = self.pid()
        if pid is not None and self.alive():
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop gracefully; kill it if that does not work."""
        if self.alive():
            self.ctl("stop", timeout=90, check=False)
        self.kill()

    def startup_log(self) -> str:
        logs = sorted((self.folder / "log").glob("*.log"))
        return " | ".join(p.read_text(errors="replace")[-800:] for p in logs)


@dataclass
class Cluster:
    """Three nodes joined into one cluster."""

    base: Path
    certs: Certificates
    nodes: list[Node] = field(default_factory=list)

    @classmethod
    def create(cls, base: Path, size: int = 3) -> Cluster:
        if shutil.which("openssl") is None or not (SBIN / "rabbitmq-server").exists():
            raise ClusterError(f"openssl or RabbitMQ scripts in {SBIN} not found")
        base.mkdir(parents=True, exist_ok=True)
        home = base / "home"
        home.mkdir(exist_ok=True)
        cookie = home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)
        certs = make_certificates(base / "certs")
        nodes = [Node(i, base, certs, home) for i in range(1, size + 1)]
        return cls(base, certs, nodes)

    def start(self) -> None:
        """Start every node, then join the others to the first."""
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            node.await_startup()
        first, *others = self.nodes
        for node in others:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.name)
            node.ctl("start_app")
        running = first.ctl("eval", "length(rabbit_nodes:all_running()).").strip()
        if running != str(len(self.nodes)):
            raise ClusterError(f"{running} of {len(self.nodes)} nodes running")
        first.ctl("add_user", CLIENT_CN, secrets.token_hex(16))
        first.ctl("set_permissions", "-p", "/", CLIENT_CN, ".*", ".*", ".*")

    def restart(self, nodes: Iterable[Node]) -> None:
        """Start stopped or killed nodes again (same data: they rejoin)."""
        started = [n for n in nodes if not n.alive()]
        for node in started:
            node.start()
        for node in started:
            node.await_startup()

    def stop(self) -> None:
        for node in reversed(self.nodes):
            try:
                node.stop()
            except (ClusterError, subprocess.SubprocessError, OSError):
                node.kill()

    def urls(self, **kwargs: str) -> list[str]:
        return [node.url(**kwargs) for node in self.nodes]

    def node_on_port(self, port: int) -> Node:
        return next(n for n in self.nodes if port in (n.amqp_port, n.tls_port))
