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
    with pytest.raises(ValueError, match=r"^c\.png: the lab's photo decoder is not answering .*teacher"):
        isolated.load_photo_isolated(b"...", "c.png")
