"""deploy/: three replicas behind nginx with sticky sessions carry the load test, uploads included."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.cluster import NGINX, Cluster, render_config

from paths import ROOT

needs_nginx = pytest.mark.skipif(
    not Path(NGINX).is_file() or shutil.which("true") is None, reason="nginx (Debian package) is not installed"
)


def test_config_template_fills_in_every_placeholder(tmp_path):
    text = render_config(tmp_path, 8080, [9001, 9002, 9003])
    assert "${" not in text and "PREFIX" not in text.split("#")[-1]
    assert text.count("server 127.0.0.1:900") == 3
    assert "listen 127.0.0.1:8080;" in text
    assert "hash $replica_key consistent;" in text and "proxy_set_header Upgrade $http_upgrade;" in text


@pytest.mark.slow
@needs_nginx
def test_load_through_nginx_with_three_replicas_is_sticky_and_error_free(tmp_path):
    cluster = Cluster(tmp_path / "cluster", replicas=3)
    try:
        cluster.start()
        assert len(cluster.replica_ports) == 3
        pids = [arg for pid in cluster.replica_pids for arg in ("--pid", str(pid))]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.loadtest",
                "--url",
                cluster.url,
                *pids,
                "--students",
                "6",
                "--minutes",
                "0.5",
                "--idle",
                "1",
                "--ramp",
                "3",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=400,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "errors: 0" in done.stdout
        assert "| upload |" in done.stdout and not re.search(r"\| upload \| 0 \|", done.stdout)
    finally:
        cluster.stop()
    # Sticky: every request of one student (page, websocket, upload) went to one replica.
    upstreams = {}
    for line in (tmp_path / "cluster" / "access.log").read_text().splitlines():
        key = re.search(r"key=(\S+)", line).group(1)
        upstream = re.search(r"upstream=(\S+)", line).group(1)
        upstreams.setdefault(key, set()).add(upstream)
    assert len(upstreams) >= 7  # the warm-up visit and six students
    assert all(len(u) == 1 for u in upstreams.values()), upstreams
    assert any(
        "PUT /_stcore/upload_file/" in line for line in (tmp_path / "cluster" / "access.log").read_text().splitlines()
    )
    for pid in cluster.pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
