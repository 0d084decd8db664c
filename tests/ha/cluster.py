"""A pg_auto_failover cluster on local ports, for the HA tests and measurements (``make test-ha``).

One monitor and three data nodes (Debian's ``postgresql-15-auto-failover``), each a ``pg_autoctl
run`` process in a session of its own, run as the ``postgres`` user when this runs as root. The
formation keeps one synchronous standby (``number-sync-standbys 1``), and the monitor's timeouts
are the tuned ones of docs/operations.md (failover in ~13 s instead of ~53 s):

    pgautofailover.health_check_period            1000 ms  (default 5000)
    pgautofailover.health_check_timeout           1000 ms  (default 5000)
    pgautofailover.health_check_retry_delay        500 ms  (default 2000)
    pgautofailover.node_considered_unhealthy_timeout 5000 ms (default 20000)
    pgautofailover.primary_demote_timeout         5000 ms  (default 30000)
    keeper timeout.network_partition_timeout         3 s   (default 20)

``kill(node)`` is what losing the server looks like: SIGKILL to the node's pg_autoctl session and
to its postmaster (killing postgres alone only makes pg_autoctl restart it).
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path(os.environ.get("LEDGER_HA_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_AUTOCTL = shutil.which("pg_autoctl") or "/usr/bin/pg_autoctl"
MONITOR_SETTINGS = {
    "pgautofailover.health_check_period": 1000,
    "pgautofailover.health_check_timeout": 1000,
    "pgautofailover.health_check_retry_delay": 500,
    "pgautofailover.health_check_max_retries": 2,
    "pgautofailover.node_considered_unhealthy_timeout": 5000,
    "pgautofailover.primary_demote_timeout": 5000,
    "pgautofailover.startup_grace_period": 5000,
}
KEEPER_SETTINGS = {"timeout.network_partition_timeout": 3, "timeout.prepare_promotion_walreceiver": 2}


def available() -> str | None:
    """Why the cluster cannot run here, or None when it can."""
    if not Path(PG_AUTOCTL).exists():
        return "pg_autoctl not installed (apt-get install postgresql-15-auto-failover)"
    if not (PG_BIN / "pg_ctl").exists():
        return f"no pg_ctl in {PG_BIN}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user"
    return None


def _children(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (a postmaster's backends, workers and logger)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


@dataclass
class Node:
    name: str
    port: int
    pgdata: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@dataclass
class Cluster:
    base: Path
    base_port: int = 6500
    size: int = 3
    database: str = "ledger"
    monitor: Node = field(init=False)
    nodes: list[Node] = field(init=False)

    def __post_init__(self) -> None:
        self.monitor = Node("monitor", self.base_port, self.base / "monitor")
        self.nodes = [Node(f"node{i}", self.base_port + i, self.base / f"node{i}") for i in range(1, self.size + 1)]

    # -- processes ------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        return {**os.environ, "XDG_CONFIG_HOME": str(self.base / "config"), "XDG_DATA_HOME": str(self.base / "data"),
                "PGHOST": "127.0.0.1"}

    def _cmd(self, *args: str) -> list[str]:
        command = [PG_AUTOCTL, *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return command

    def autoctl(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(self._cmd(*args), env=self._env(), capture_output=True, text=True, errors="replace",
                              timeout=timeout, cwd=self.base, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"pg_autoctl {' '.join(args[:2])} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done

    def _run(self, node: Node) -> None:
        log = open(self.base / f"{node.name}.log", "ab")
        node.process = subprocess.Popen(self._cmd("run", "--pgdata", str(node.pgdata)), env=self._env(),
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.base)

    @property
    def monitor_uri(self) -> str:
        return f"postgres://autoctl_node@127.0.0.1:{self.monitor.port}/pg_auto_failover?sslmode=disable"

    # -- life cycle -----------------------------------------------------------------------------
    def start(self) -> "Cluster":
        reason = available()
        if reason:
            raise RuntimeError(reason)
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            self.base.parent.chmod(self.base.parent.stat().st_mode | 0o011)  # postgres must reach it
        pgctl = str(PG_BIN / "pg_ctl")
        self.autoctl("create", "monitor", "--pgctl", pgctl, "--pgdata", str(self.monitor.pgdata),
                     "--pgport", str(self.monitor.port), "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl")
        self._run(self.monitor)
        self._wait_sql(self.monitor.port, "pg_auto_failover")
        for key, value in MONITOR_SETTINGS.items():
            self.sql(self.monitor.port, f"ALTER SYSTEM SET {key} = {value}", "pg_auto_failover")
        self.sql(self.monitor.port, "SELECT pg_reload_conf()", "pg_auto_failover")
        for node in self.nodes:
            self.autoctl("create", "postgres", "--pgctl", pgctl, "--pgdata", str(node.pgdata), "--pgport",
                         str(node.port), "--hostname", "127.0.0.1", "--name", node.name, "--dbname", self.database,
                         "--monitor", self.monitor_uri, "--auth", "trust", "--no-ssl", timeout=180)
            for key, value in KEEPER_SETTINGS.items():
                self.autoctl("config", "set", "--pgdata", str(node.pgdata), key, str(value))
            self._run(node)
            self.wait_until(lambda n=node: self.states().get(n.name, ("", ""))[0] in ("single", "primary", "secondary"),
                            timeout=120, what=f"{node.name} to join")
        self.autoctl("set", "formation", "number-sync-standbys", "1", "--monitor", self.monitor_uri)
        self.wait_healthy()
        return self

    def keep_logs(self, *more: Path) -> Path:
        """Copy the nodes' and monitor's logs, the monitor's last events and ``more`` files to a directory of
        their own that ``stop`` does not remove (for a failed run: the cluster's directory goes with it)."""
        kept = Path(tempfile.mkdtemp(prefix="ledger-ha-failed-"))
        for log in [*self.base.glob("*.log"), *more]:
            if log.is_file():
                shutil.copy(log, kept / log.name)
        events = self.autoctl("show", "events", "--count", "100", "--monitor", self.monitor_uri, check=False,
                              timeout=30)
        (kept / "monitor-events.txt").write_text(events.stdout + events.stderr, encoding="utf-8")
        (kept / "states.json").write_text(json.dumps(self.states(), indent=1), encoding="utf-8")
        return kept

    def stop(self) -> None:
        for node in [*self.nodes, self.monitor]:
            self._kill(node)
        shutil.rmtree(self.base, ignore_errors=True)

    def _kill(self, node: Node) -> None:
        if node.process is not None:
            try:
                os.killpg(node.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            node.process.wait(timeout=10)
            node.process = None
        pid_file = node.pgdata / "postmaster.pid"
        try:
            postmaster = int(pid_file.read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return
        for pid in [postmaster, *_children(postmaster)]:  # each child is a session leader: not reached by killpg
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def kill(self, name: str) -> float:
        """SIGKILL the node's pg_autoctl and postmaster; the monotonic time it happened."""
        node = self.node(name)
        self._kill(node)
        return time.monotonic()

    def rejoin(self, name: str) -> None:
        """Start a killed node again: it rejoins as a standby (pg_rewind if needed)."""
        self._run(self.node(name))

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    # -- state ----------------------------------------------------------------------------------
    def states(self) -> dict[str, tuple[str, str]]:
        """Each node's (reported state, goal state) as the monitor sees it."""
        done = self.autoctl("show", "state", "--json", "--monitor", self.monitor_uri, check=False, timeout=30)
        if done.returncode != 0:
            return {}
        try:
            rows = json.loads(done.stdout)
        except json.JSONDecodeError:
            return {}
        return {row["nodename"]: (row["current_group_state"], row["assigned_group_state"]) for row in rows}

    def primary(self) -> str | None:
        return next((name for name, (reported, goal) in self.states().items()
                     if reported == goal and reported in ("primary", "single")), None)

    def wait_healthy(self, timeout: float = 120) -> None:
        """Until one primary and every other node a secondary, reported = assigned."""
        def healthy() -> bool:
            states = self.states()
            if len(states) != len(self.nodes) or any(r != g for r, g in states.values()):
                return False
            roles = sorted(r for r, _ in states.values())
            return roles == ["primary"] + ["secondary"] * (len(self.nodes) - 1)
        self.wait_until(healthy, timeout, "the cluster to be healthy")

    def wait_until(self, predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.25)
        raise TimeoutError(f"timed out after {timeout} s waiting for {what}: {self.states()}")

    # -- SQL --------------------------------------------------------------------------------------
    def sql(self, port: int, statement: str, dbname: str = "postgres", autocommit: bool = True) -> list[tuple]:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, connect_timeout=3)
        conn.autocommit = autocommit
        try:
            with conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def _wait_sql(self, port: int, dbname: str, timeout: float = 60) -> None:
        def ready() -> bool:
            try:
                self.sql(port, "SELECT 1", dbname)
                return True
            except Exception:  # the server is still starting
                return False
        self.wait_until(ready, timeout, f"port {port} to accept connections")

    def url(self, attrs: str = "read-write", dbname: str | None = None) -> str:
        """The ledger's multi-host URL over the data nodes (libpq tries each; attrs picks the role)."""
        hosts = ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)
        return f"postgresql://postgres@{hosts}/{dbname or self.database}?target_session_attrs={attrs}&connect_timeout=2"
