"""N Streamlit replicas of the lab behind nginx with sticky sessions, on one machine.

Everything listens on 127.0.0.1 and lives under one prefix folder (config, pid
files, logs, nginx's temp files); it is stopped by the PIDs it recorded. Run
from the repository root::

    python -m deploy.cluster start --replicas 3 --prefix /tmp/logreg-cluster [--port 8080]
    python -m deploy.cluster status --prefix /tmp/logreg-cluster
    python -m deploy.cluster stop --prefix /tmp/logreg-cluster
    python -m deploy.cluster run --replicas 3            # in the foreground until Ctrl-C, temp prefix

Each replica runs ``streamlit run serve.py`` with one BLAS thread, the same
cookie secret (so XSRF cookies stay valid whichever replica set them) and the
project's ``.streamlit/config.toml``. nginx (the Debian package,
``/usr/sbin/nginx``) is started with ``-p PREFIX -c PREFIX/nginx.conf`` and
``daemon off`` as a child we can stop by PID; the config comes from
``deploy/nginx.conf.template``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
STATE_FILE = "cluster.json"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
MAX_REPLICAS = 16


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_config(prefix: Path, listen_port: int, replica_ports: list[int]) -> str:
    """The nginx config for these ports (see nginx.conf.template)."""
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in replica_ports)
    return Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        PREFIX=str(prefix), LISTEN=f"127.0.0.1:{listen_port}", UPSTREAMS=upstreams
    )


def replica_command(port: int, app: str = "serve.py", extra: list[str] | None = None) -> list[str]:
    """The command line of one dashboard server on 127.0.0.1:``port`` (a replica here, the load test's server)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        *(extra or []),
    ]


#: What every class server process gets in its environment:
#: - one BLAS thread: the sessions are the parallelism;
#: - Python's small objects from glibc's malloc, with one arena. With Python's own allocator a class of
#:   30 left ~25 % more memory than idle after it left: a few long-lived objects pinned each 1 MiB arena
#:   they were made in. glibc gives free pages back (`malloc_trim`) wherever they are (+4 %, 2026-11-24).
SERVER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONMALLOC": "malloc",
    "MALLOC_ARENA_MAX": "1",
}


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with :data:`SERVER_ENV` and the project on PYTHONPATH."""
    env = dict(os.environ if base is None else base)
    env.update(SERVER_ENV)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def replica_env(cookie_secret: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """A replica's environment: :func:`server_env` and the cookie secret every replica shares."""
    env = server_env(base)
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = cookie_secret  # not on the command line (ps shows it)
    return env


def healthy(port: int, path: str = "/_stcore/health") -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_pid(pid: int, sig: int = signal.SIGTERM, grace: float = 10.0) -> None:
    """Send ``sig`` to one process (ours, by PID), then SIGKILL it after ``grace`` seconds."""
    if not alive(pid):
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)  # our child: reap it
            if done == pid:
                return
        except ChildProcessError:  # started by another process: poll
            if not alive(pid):
                return
        time.sleep(0.1)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


@dataclass
class Cluster:
    """Replicas and nginx under ``prefix``.

    Attributes
    ----------
    prefix : Path
    replicas : int
    port : int
        nginx's port on 127.0.0.1 (0 = pick a free one).
    replica_ports, replica_pids : list of int
    nginx_pid : int
    """

    prefix: Path
    replicas: int = 3
    port: int = 0
    replica_ports: list[int] = field(default_factory=list)
    replica_pids: list[int] = field(default_factory=list)
    nginx_pid: int = 0
    _children: dict[int, subprocess.Popen] = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pids(self) -> list[int]:
        return [*self.replica_pids, *([self.nginx_pid] if self.nginx_pid else [])]

    def save(self) -> None:
        data = {
            "prefix": str(self.prefix),
            "replicas": self.replicas,
            "port": self.port,
            "replica_ports": self.replica_ports,
            "replica_pids": self.replica_pids,
            "nginx_pid": self.nginx_pid,
        }
        (self.prefix / STATE_FILE).write_text(json.dumps(data, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, prefix: Path) -> Cluster:
        path = Path(prefix) / STATE_FILE
        if not path.is_file():
            raise SystemExit(f"{path}: no cluster state here; expected the prefix given to `start`")
        data = json.loads(path.read_text(encoding="utf-8"))
        data["prefix"] = Path(data["prefix"])
        return cls(**data)

    def start(self, timeout: float = 90.0) -> Cluster:
        """Start the replicas and nginx; wait until nginx answers; raise RuntimeError (after stopping) if not."""
        if not 1 <= self.replicas <= MAX_REPLICAS:
            raise ValueError(f"replicas must be from 1 to {MAX_REPLICAS}; got {self.replicas}")
        if not Path(NGINX).is_file():
            raise RuntimeError(f"nginx not found at {NGINX}; install the Debian package `nginx` or set NGINX")
        self.prefix.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(32)
        try:
            for i in range(self.replicas):
                port = free_port()
                log = open(self.prefix / f"replica-{i}.log", "wb")  # noqa: SIM115 - the child keeps it
                proc = subprocess.Popen(
                    replica_command(port),
                    cwd=ROOT,
                    env=replica_env(secret),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                log.close()
                self.replica_ports.append(port)
                self.replica_pids.append(proc.pid)
                self._children[proc.pid] = proc
                self.save()
            self.port = self.port or free_port()
            conf = self.prefix / "nginx.conf"
            conf.write_text(render_config(self.prefix, self.port, self.replica_ports), encoding="utf-8")
            check = subprocess.run(
                [NGINX, "-t", "-q", "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(conf)],
                check=False,
                capture_output=True,
                text=True,
                timeout=30,
            )
            if check.returncode != 0:
                raise RuntimeError(f"nginx rejected {conf}: {check.stderr.strip()}")
            log = open(self.prefix / "nginx.out", "wb")  # noqa: SIM115 - the child keeps it
            proc = subprocess.Popen(
                [
                    NGINX,
                    "-p",
                    str(self.prefix),
                    "-e",
                    str(self.prefix / "error.log"),
                    "-c",
                    str(conf),
                    "-g",
                    "daemon off;",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            self.nginx_pid = proc.pid
            self._children[proc.pid] = proc
            self.save()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                dead = [
                    p
                    for p in self.pids
                    if (self._children[p].poll() is not None if p in self._children else not alive(p))
                ]
                if dead:
                    raise RuntimeError(f"process(es) {dead} exited; see the logs in {self.prefix}")
                if all(healthy(p) for p in self.replica_ports) and healthy(self.port):
                    return self
                time.sleep(0.5)
            raise RuntimeError(f"the cluster did not answer within {timeout:g} s; see the logs in {self.prefix}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop nginx (graceful SIGQUIT) and every replica, by their PIDs."""
        if self.nginx_pid:
            stop_pid(self.nginx_pid, signal.SIGQUIT)
        for pid in self.replica_pids:
            stop_pid(pid)
        for proc in self._children.values():  # started here: collect their exit status
            if proc.poll() is None:
                proc.kill()
            proc.wait(5)

    def status(self) -> dict[str, object]:
        return {
            "url": self.url,
            "nginx": {"pid": self.nginx_pid, "alive": alive(self.nginx_pid)},
            "replicas": [
                {"port": port, "pid": pid, "alive": alive(pid), "healthy": healthy(port)}
                for port, pid in zip(self.replica_ports, self.replica_pids, strict=True)
            ],
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Streamlit replicas of the lab behind nginx, on 127.0.0.1.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("start", "run"):
        s = sub.add_parser(
            name, help="start the replicas and nginx" + (" and wait for Ctrl-C" if name == "run" else "")
        )
        s.add_argument("--replicas", type=int, default=3)
        s.add_argument("--port", type=int, default=0, help="nginx port on 127.0.0.1 (default: a free one)")
        s.add_argument("--prefix", type=Path, required=name == "start", default=None)
    for name in ("stop", "status"):
        sub.add_parser(name).add_argument("--prefix", type=Path, required=True)
    args = p.parse_args(argv)
    if args.command in ("stop", "status"):
        cluster = Cluster.load(args.prefix)
        if args.command == "stop":
            cluster.stop()
            print(f"stopped nginx and {len(cluster.replica_pids)} replicas")
        else:
            print(json.dumps(cluster.status(), indent=1))
        return 0
    temp = args.prefix is None
    prefix = Path(tempfile.mkdtemp(prefix="logreg-cluster-")) if temp else args.prefix.resolve()
    cluster = Cluster(prefix, args.replicas, args.port).start()
    print(f"{cluster.replicas} replicas behind nginx at {cluster.url} (prefix {prefix})", flush=True)
    if args.command == "start":
        print(f"stop with: python -m deploy.cluster stop --prefix {prefix}")
        return 0
    try:
        while all(alive(pid) for pid in cluster.pids):
            time.sleep(1)
        print("a process of the cluster exited; stopping the rest", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        if temp:
            shutil.rmtree(prefix, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
