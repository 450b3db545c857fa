"""logreg_core.board against SQLite and against a real PostgreSQL server.

The PostgreSQL server is Debian's ``postgresql`` (binaries in /usr/lib/postgresql/<v>/bin),
started by the fixture in a temporary folder on a free 127.0.0.1 port and stopped after.
It is skipped with a reason where it cannot start, except under ``CI=true`` where that fails.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import numpy as np
import pytest
from sqlalchemy import create_engine

from logreg_core.board import (
    NICKNAME_MAX,
    BoardFull,
    ClassBoard,
    RateLimited,
    Submission,
    check_code,
    clean_nickname,
    make_engine,
    rank_changes,
    ranks,
    sqlite_url,
)
from logreg_core.settings import TrainSettings

CI = os.environ.get("CI") == "true"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return os.path.dirname(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    return os.path.dirname(pg_ctl) if pg_ctl else None


def _unavailable(reason):
    if CI:
        pytest.fail(f"CI needs the PostgreSQL test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL server on 127.0.0.1, as a SQLAlchemy URL; stopped (by its data dir) after."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'psycopg[binary]')")
    bindir = _pg_bin()
    if bindir is None:
        _unavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    root = tempfile.mkdtemp(prefix="logreg-pg-")
    data, sock = os.path.join(root, "data"), os.path.join(root, "sock")
    os.makedirs(sock)
    as_user = []
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as "postgres"
        runuser = shutil.which("runuser")
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            pw = None
        if runuser is None or pw is None:
            shutil.rmtree(root, ignore_errors=True)
            _unavailable("running as root without a 'postgres' user to start the server as")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        os.chown(sock, pw.pw_uid, pw.pw_gid)
        as_user = [runuser, "-u", "postgres", "--"]
    port = _free_port()
    pg_ctl = os.path.join(bindir, "pg_ctl")
    try:
        subprocess.run(
            as_user + [os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            as_user
            + [
                pg_ctl,
                "-D",
                data,
                "-w",
                "-t",
                "60",
                "-l",
                os.path.join(root, "log"),
                "-o",
                f"-h 127.0.0.1 -p {port} -k {sock} -F",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=90,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"PostgreSQL could not start: {type(exc).__name__} {detail.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_user + [pg_ctl, "-D", data, "-m", "fast", "-w", "stop"], check=False, capture_output=True, timeout=60
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def board(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(sqlite_url(tmp_path / "data" / "board.sqlite3"))
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
    b = ClassBoard(engine, max_entries=6, rate_limit=3, rate_window=60)
    b.create_tables()
    b.create_tables()  # twice is fine (several replicas start)
    # a fresh start on a server shared by the module
    for code in ("room-a", "room-b"):
        b.clear(code)
    yield b
    engine.dispose()


def sub(name="ada", val=80.0, test=70.0, rate=0.005, scaling="255"):
    return Submission(name, TrainSettings(learning_rate=rate, scaling=scaling), 90.0, val, test, "synthetic")


def test_submit_rank_reveal_clear(board):
    board.submit("room-a", "s1", sub("ada", 80, 60), now=0)
    board.submit("room-a", "s2", sub("bob", 90, 55, rate=0.01, scaling="zscore"), now=1)
    board.submit("room-a", "s3", sub("cy", 70, 75), now=2)
    board.submit("room-b", "s1", sub("other class", 99, 99), now=3)
    rows = board.entries("room-a")
    assert [e.nickname for e in rows] == ["bob", "ada", "cy"]  # ranked by validation
    assert all(e.test_accuracy is None for e in rows)  # hidden until revealed
    assert rows[0].learning_rate == 0.01 and rows[0].scaling == "zscore"
    assert not board.is_revealed("room-a")
    board.reveal("room-a")
    rows = board.entries("room-a")
    assert [e.test_accuracy for e in rows] == [55, 60, 75]
    val_rank, test_rank = rank_changes(rows)
    assert val_rank.tolist() == [1, 2, 3] and test_rank.tolist() == [3, 2, 1]
    assert board.entries("room-b")[0].test_accuracy is None  # other boards stay hidden
    assert board.clear("room-a") == 3
    assert board.entries("room-a") == [] and not board.is_revealed("room-a")
    assert len(board.entries("room-b")) == 1


def test_rate_limit_and_bound(board):
    for i in range(3):
        board.submit("room-a", "s1", sub(f"n{i}"), now=100 + i)
    with pytest.raises(RateLimited, match="at most 3 runs a minute"):
        board.submit("room-a", "s1", sub("n3"), now=110)
    board.submit("room-a", "s1", sub("n3"), now=170)  # a minute later it goes through
    board.submit("room-a", "s2", sub("n4"), now=171)
    board.submit("room-a", "s2", sub("n5"), now=171)
    with pytest.raises(BoardFull, match="at most 6 runs"):
        board.submit("room-a", "s3", sub("n5"), now=172)
    board.submit("room-b", "s3", sub("n5"), now=172)  # another board has room


def test_nicknames_stored_verbatim_as_text(board):
    board.submit("room-a", "s1", sub("<b>x</b> **bold** [a](b)"), now=0)
    assert board.entries("room-a")[0].nickname == "<b>x</b> **bold** [a](b)"


def test_nickname_rules():
    assert clean_nickname("  Ada \t Lovelace\u200b\n") == "Ada Lovelace"
    assert clean_nickname("x" * NICKNAME_MAX) == "x" * NICKNAME_MAX
    with pytest.raises(ValueError, match=f"at most {NICKNAME_MAX} characters; got {NICKNAME_MAX + 1}"):
        clean_nickname("x" * (NICKNAME_MAX + 1))
    with pytest.raises(ValueError, match="empty"):
        clean_nickname(" \u0000 ")
    with pytest.raises(ValueError, match="percentage"):
        Submission("a", TrainSettings(), 101, 50, 50)


def test_board_codes():
    assert check_code(" Room-12 ") == "room-12"
    for bad in ("", "a b", "x" * 25, "-x", "../etc", None):
        with pytest.raises(ValueError, match="board code"):
            check_code(bad)


def test_ranks_share_ties():
    assert ranks(np.array([90, 80, 90, 70])).tolist() == [1, 3, 1, 4]


def test_broken_database_raises_sqlalchemy_error(tmp_path):
    from sqlalchemy.exc import SQLAlchemyError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    board = ClassBoard(create_engine(f"sqlite:///{blocker}/board.sqlite3"))
    with pytest.raises(SQLAlchemyError):
        board.create_tables()


def test_two_engines_share_one_board(tmp_path):
    """Two replicas = two engines on one file: each sees the other's submissions."""
    url = sqlite_url(tmp_path / "b.sqlite3")
    a, b = ClassBoard(make_engine(url)), ClassBoard(make_engine(url))
    a.create_tables()
    a.submit("x", "s1", sub("from a"), now=0)
    b.submit("x", "s2", sub("from b", val=99), now=1)
    assert [e.nickname for e in a.entries("x")] == ["from b", "from a"]
    b.reveal("x")
    assert a.is_revealed("x")
