"""logreg_core.fork_server: children forked per call, a server that restarts and stops cleanly."""

import os
import time

import numpy as np
import pytest

from logreg_core import fork_server

pytestmark = pytest.mark.skipif(not fork_server.available(), reason="needs fork and Unix sockets")


@pytest.fixture
def server():
    s = fork_server.ForkServer(preload=("numpy",))
    yield s
    s.close()


def test_each_call_runs_in_its_own_child_and_answers_as_npy(server):
    kind, payload = server.call(os.getpid, (), 10.0, 1 << 30)
    assert kind == "A"
    pid = int(np.load(__import__("io").BytesIO(payload), allow_pickle=False))
    kind, payload = server.call(os.getpid, (), 10.0, 1 << 30)
    assert pid != os.getpid() and pid != int(np.load(__import__("io").BytesIO(payload), allow_pickle=False))
    assert server.call(int, ("not a number",), 10.0, 1 << 30)[0] == "E"  # a ValueError is one line
    assert server.call(bytes, (1 << 20,), 10.0, 1 << 30, max_answer_bytes=1000) == ("X", b"")  # too long an answer


def test_a_dead_server_is_started_again_and_close_removes_its_socket(server):
    assert server.call(len, ("ab",), 10.0, 1 << 30)[0] == "A"
    first, path = server._process, server._path
    first.kill()
    first.wait(5)
    assert server.call(len, ("abc",), 10.0, 1 << 30)[0] == "A"
    assert server._process.pid != first.pid and not os.path.exists(path)
    second, path = server._process, server._path
    server.close()
    assert second.poll() is not None and not os.path.exists(os.path.dirname(path))


def test_a_child_that_outlives_its_time_is_ended(server):
    start = time.monotonic()
    assert server.call(time.sleep, (30,), 0.3, 1 << 30) == ("T", b"")
    assert time.monotonic() - start < 10


def test_a_server_whose_socket_is_gone_is_replaced_on_the_same_call(server):
    assert server.call(len, ("ab",), 10.0, 1 << 30)[0] == "A"
    os.unlink(server._path)  # alive, but nobody can reach it
    assert server.call(len, ("abc",), 10.0, 1 << 30)[0] == "A"


def test_a_decoder_that_cannot_be_reached_is_one_line(monkeypatch):
    from logreg_core import isolated

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(fork_server.PHOTOS, "call", unreachable)
    with pytest.raises(ValueError, match=r"^c\.png: the lab's photo decoder is not answering .*teacher") as busy:
        isolated.load_photo_isolated(b"...", "c.png")
    assert isinstance(busy.value, isolated.DecoderBusy)  # nothing wrong with the photo: not to be remembered


def test_a_burst_of_callers_waits_its_turn_and_never_restarts_a_live_server():
    from concurrent.futures import ThreadPoolExecutor

    s = fork_server.ForkServer(preload=("numpy",), children=2)
    try:
        assert s.call(len, ("a",), 10.0, 1 << 30)[0] == "A"
        first = s._process.pid
        with ThreadPoolExecutor(120) as pool:
            kinds = list(pool.map(lambda i: s.call(len, ("x" * i,), 30.0, 1 << 30)[0], range(240)))
        assert kinds == ["A"] * 240 and s._process.pid == first
    finally:
        s.close()


def test_a_caller_with_more_than_1024_open_files_still_gets_a_decoder(tmp_path):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1200 if hard == resource.RLIM_INFINITY else min(1200, hard)
    if want < 1100:
        pytest.skip(f"cannot open 1100 files here (hard limit {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    held = []
    s = fork_server.ForkServer(preload=("numpy",))
    try:
        held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1050)]
        assert s.call(len, ("abc",), 10.0, 1 << 30)[0] == "A"  # the server's pipe is past fd 1024
    finally:
        s.close()
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_server_removes_its_socket_when_its_caller_is_killed(tmp_path):
    import subprocess
    import sys

    from paths import ROOT

    code = (
        "import os, signal, sys; from logreg_core import fork_server\n"
        "s = fork_server.ForkServer(preload=('numpy',)); s.call(len, ('a',), 10.0, 1 << 30)\n"
        "print(s._path, flush=True); os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    path = done.stdout.strip()
    assert path.endswith("/s")
    for _ in range(100):
        if not os.path.exists(os.path.dirname(path)):
            break
        time.sleep(0.05)
    assert not os.path.exists(os.path.dirname(path))


def test_a_call_that_finds_no_free_child_within_its_time_is_busy_not_refused(monkeypatch):
    import threading

    from logreg_core import isolated

    one = fork_server.ForkServer(preload=("numpy",), children=1)
    monkeypatch.setattr(fork_server, "PHOTOS", one)
    try:

        def occupy():
            with pytest.raises(ValueError):  # None comes back: not an array, refused as such
                isolated.call_forked(time.sleep, (2,), "a.jpg", 10.0, 1 << 30)

        sleeper = threading.Thread(target=occupy)
        sleeper.start()
        time.sleep(0.5)  # the one child is taken
        with pytest.raises(isolated.DecoderBusy, match=r"^b\.jpg: the lab's photo decoder was busy .* try again"):
            isolated.call_forked(len, (b"x",), "b.jpg", 0.3, 1 << 30)
        sleeper.join(10)
        assert isolated.call_forked(len, (b"xy",), "b.jpg", 10.0, 1 << 30) == 2
    finally:
        one.close()
