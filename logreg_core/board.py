"""The class board: every student's run in one database table, ranked by validation accuracy.

Stored with SQLAlchemy Core, so the same code talks to SQLite (a file in the
app's ``data/`` folder, the default) or to PostgreSQL (several app replicas
share one board). Each class uses its own board code; a board's test
accuracies stay hidden until the teacher reveals them. No Streamlit here.

Bounds: nicknames are cleaned and cut to :data:`NICKNAME_MAX` characters, a
session may submit :data:`RATE_LIMIT` runs per :data:`RATE_WINDOW` seconds, a
board holds :data:`MAX_ENTRIES` entries.
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)

from .settings import TrainSettings

__all__ = [
    "DEFAULT_CODE",
    "MAX_ENTRIES",
    "NICKNAME_MAX",
    "RATE_LIMIT",
    "RATE_WINDOW",
    "BoardFull",
    "ClassBoard",
    "Entry",
    "RateLimited",
    "Submission",
    "check_code",
    "clean_nickname",
    "make_engine",
    "new_code",
    "rank_changes",
    "ranks",
    "sqlite_url",
]

NICKNAME_MAX = 24
MAX_ENTRIES = 300
RATE_LIMIT = 3
RATE_WINDOW = 60.0
DEFAULT_CODE = "class"
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud from a projector

metadata = MetaData()
boards = Table(
    "logreg_boards",
    metadata,
    Column("code", String(24), primary_key=True),
    Column("revealed", Boolean, nullable=False, default=False),
    Column("created", Float, nullable=False),
)
entries = Table(
    "logreg_board_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("board", String(24), nullable=False, index=True),
    Column("session", String(64), nullable=False),
    Column("nickname", String(NICKNAME_MAX), nullable=False),
    Column("learning_rate", Float, nullable=False),
    Column("num_iterations", Integer, nullable=False),
    Column("scaling", String(8), nullable=False),
    Column("train_accuracy", Float, nullable=False),
    Column("validation_accuracy", Float, nullable=False),
    Column("test_accuracy", Float, nullable=False),
    Column("dataset", String(200), nullable=False),
    Column("created", Float, nullable=False),
)


class RateLimited(ValueError):
    """A session submitted too often."""


class BoardFull(ValueError):
    """A board holds its maximum number of entries."""


def clean_nickname(text: object) -> str:
    """A nickname fit for the board: printable, one line, at most :data:`NICKNAME_MAX` characters.

    Parameters
    ----------
    text : str

    Returns
    -------
    nickname : str
        Control and format characters removed, runs of spaces collapsed, cut to
        ``NICKNAME_MAX``. It is still shown as plain text, never as HTML or Markdown.
    """
    if not isinstance(text, str):
        raise TypeError(f"nickname must be text; got {type(text).__name__}")
    kept = "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch)[0] != "C")
    name = " ".join(kept.split())
    if not name:
        raise ValueError(f"nickname must hold 1 to {NICKNAME_MAX} visible characters; got an empty one")
    if len(name) > NICKNAME_MAX:
        raise ValueError(f"nickname must be at most {NICKNAME_MAX} characters; got {len(name)}")
    return name


def check_code(code: object) -> str:
    """A board code: 1–24 lowercase letters, digits or dashes, starting with a letter or digit."""
    text = str(code).strip().lower() if isinstance(code, str) else None
    if text is None or not _CODE.match(text):
        raise ValueError(
            f"board code must be 1 to 24 letters, digits or dashes (e.g. 'room-12'); got {str(code)[:40]!r}"
        )
    return text


def new_code(length: int = 6) -> str:
    """A fresh random board code that is easy to read aloud, e.g. ``"k7rmqz"``."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def sqlite_url(path: str | Path) -> str:
    """SQLAlchemy URL of a SQLite file (its folder is created if missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for a SQLAlchemy URL; SQLite gets a busy timeout and WAL so readers do not block writers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=10)


@dataclass(frozen=True)
class Submission:
    """What a student sends: their nickname, settings and the three accuracies (percent).

    Attributes
    ----------
    nickname : str
    settings : TrainSettings
    train_accuracy : float
        On the training part (the training set without the validation split).
    validation_accuracy : float
        On the validation split carved from the training set.
    test_accuracy : float
        On the test set; hidden on the board until the teacher reveals it.
    dataset : str
        Where the data came from.
    """

    nickname: str
    settings: TrainSettings
    train_accuracy: float
    validation_accuracy: float
    test_accuracy: float
    dataset: str = ""

    def __post_init__(self):
        object.__setattr__(self, "nickname", clean_nickname(self.nickname))
        if not isinstance(self.settings, TrainSettings):
            raise TypeError(f"settings must be a TrainSettings; got {type(self.settings).__name__}")
        for name in ("train_accuracy", "validation_accuracy", "test_accuracy"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise ValueError(f"{name.replace('_', ' ')} must be a percentage from 0 to 100; got {value!r}")
            object.__setattr__(self, name, float(value))
        object.__setattr__(self, "dataset", str(self.dataset)[:200])


@dataclass(frozen=True)
class Entry:
    """One row of the board.

    Attributes
    ----------
    id : int
    nickname : str
    learning_rate : float
    num_iterations : int
    scaling : str
    train_accuracy, validation_accuracy : float
    test_accuracy : float or None
        None until the teacher reveals the test accuracies.
    dataset : str
    created : float
        Unix time.
    """

    id: int
    nickname: str
    learning_rate: float
    num_iterations: int
    scaling: str
    train_accuracy: float
    validation_accuracy: float
    test_accuracy: float | None
    dataset: str
    created: float


class ClassBoard:
    """Boards stored in one database.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    max_entries : int, default MAX_ENTRIES
    rate_limit : int, default RATE_LIMIT
        Submissions one session may make in ``rate_window`` seconds.
    rate_window : float, default RATE_WINDOW
    """

    def __init__(
        self,
        engine: Engine,
        max_entries: int = MAX_ENTRIES,
        rate_limit: int = RATE_LIMIT,
        rate_window: float = RATE_WINDOW,
    ):
        self.engine = engine
        self.max_entries = int(max_entries)
        self.rate_limit = int(rate_limit)
        self.rate_window = float(rate_window)

    def create_tables(self) -> None:
        """Create the two tables if they are missing (safe to call from several replicas)."""
        metadata.create_all(self.engine, checkfirst=True)

    def _ensure_board(self, conn, code: str, now: float) -> None:
        if conn.execute(select(boards.c.code).where(boards.c.code == code)).first() is None:
            conn.execute(insert(boards).values(code=code, revealed=False, created=now))

    def recent_submissions(self, code: str, session: str, now: float | None = None) -> int:
        """How many runs ``session`` submitted to the board in the last ``rate_window`` seconds."""
        code = check_code(code)
        now = time.time() if now is None else float(now)
        with self.engine.connect() as conn:
            return self._recent(conn, code, str(session)[:64], now)

    def _recent(self, conn, code: str, session: str, now: float) -> int:
        return int(
            conn.execute(
                select(func.count())
                .select_from(entries)
                .where(
                    entries.c.board == code, entries.c.session == session, entries.c.created > now - self.rate_window
                )
            ).scalar_one()
        )

    def submit(self, code: str, session: str, submission: Submission, now: float | None = None) -> int:
        """Add a run to a board.

        Parameters
        ----------
        code : str
            Board code (see :func:`check_code`).
        session : str
            Who submits (a per-browser-session id), for the rate limit.
        submission : Submission
        now : float or None, default None (``time.time()``)

        Returns
        -------
        id : int
            The new entry's id.

        Raises
        ------
        RateLimited
            The session submitted ``rate_limit`` runs in the last ``rate_window`` seconds.
        BoardFull
            The board holds ``max_entries`` entries.
        """
        code = check_code(code)
        if not isinstance(submission, Submission):
            raise TypeError(f"submission must be a Submission; got {type(submission).__name__}")
        session = str(session)[:64]
        now = time.time() if now is None else float(now)
        s = submission.settings
        with self.engine.begin() as conn:
            recent = self._recent(conn, code, session, now)
            if recent >= self.rate_limit:
                raise RateLimited(
                    f"at most {self.rate_limit} runs a minute from one browser; "
                    f"got {recent} in the last {self.rate_window:.0f} s — wait a moment"
                )
            count = conn.execute(select(func.count()).select_from(entries).where(entries.c.board == code)).scalar_one()
            if count >= self.max_entries:
                raise BoardFull(
                    f"the board holds at most {self.max_entries} runs; got {count} already — "
                    f"the teacher can start a new board"
                )
            self._ensure_board(conn, code, now)
            result = conn.execute(
                insert(entries).values(
                    board=code,
                    session=session,
                    nickname=submission.nickname,
                    learning_rate=s.learning_rate,
                    num_iterations=s.num_iterations,
                    scaling=s.scaling,
                    train_accuracy=submission.train_accuracy,
                    validation_accuracy=submission.validation_accuracy,
                    test_accuracy=submission.test_accuracy,
                    dataset=submission.dataset,
                    created=now,
                )
            )
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("the database did not return the new entry's id")
            return int(key[0])

    def is_revealed(self, code: str) -> bool:
        """True once the teacher revealed the board's test accuracies."""
        code = check_code(code)
        with self.engine.connect() as conn:
            row = conn.execute(select(boards.c.revealed).where(boards.c.code == code)).first()
        return bool(row[0]) if row is not None else False

    def entries(self, code: str) -> list[Entry]:
        """The board's runs, ranked by validation accuracy (best first, earlier first on ties).

        Test accuracies are None until the board is revealed.
        """
        code = check_code(code)
        with self.engine.connect() as conn:
            row = conn.execute(select(boards.c.revealed).where(boards.c.code == code)).first()
            revealed = bool(row[0]) if row is not None else False
            rows = (
                conn.execute(
                    select(entries)
                    .where(entries.c.board == code)
                    .order_by(entries.c.validation_accuracy.desc(), entries.c.created, entries.c.id)
                )
                .mappings()
                .all()
            )
        return [
            Entry(
                id=int(r["id"]),
                nickname=r["nickname"],
                learning_rate=float(r["learning_rate"]),
                num_iterations=int(r["num_iterations"]),
                scaling=r["scaling"],
                train_accuracy=float(r["train_accuracy"]),
                validation_accuracy=float(r["validation_accuracy"]),
                test_accuracy=float(r["test_accuracy"]) if revealed else None,
                dataset=r["dataset"],
                created=float(r["created"]),
            )
            for r in rows
        ]

    def reveal(self, code: str, revealed: bool = True, now: float | None = None) -> None:
        """Show (or hide again) the board's test accuracies."""
        code = check_code(code)
        with self.engine.begin() as conn:
            self._ensure_board(conn, code, time.time() if now is None else float(now))
            conn.execute(update(boards).where(boards.c.code == code).values(revealed=bool(revealed)))

    def clear(self, code: str) -> int:
        """Delete every run of a board and hide its test accuracies again; returns how many were deleted."""
        code = check_code(code)
        with self.engine.begin() as conn:
            n = conn.execute(delete(entries).where(entries.c.board == code)).rowcount
            conn.execute(update(boards).where(boards.c.code == code).values(revealed=False))
        return int(n or 0)


def ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks, 1 = highest value; ties share the best rank ("1, 2, 2, 4").

    Parameters
    ----------
    values : ndarray of shape (n,)

    Returns
    -------
    ranks : ndarray of shape (n,), dtype int64
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    ranks: np.ndarray = (1 + np.sum(v[None, :] > v[:, None], axis=1)).astype(np.int64)
    return ranks


def rank_changes(board_entries: list[Entry]) -> tuple[np.ndarray, np.ndarray]:
    """Rank by validation and by test accuracy of each entry (the public/private leaderboard lesson).

    Parameters
    ----------
    board_entries : list of Entry
        With test accuracies revealed.

    Returns
    -------
    validation_rank : ndarray of shape (n,), dtype int64
    test_rank : ndarray of shape (n,), dtype int64
        ``validation_rank - test_rank`` > 0 means the run climbed on the test set.
    """
    if any(e.test_accuracy is None for e in board_entries):
        raise ValueError("test accuracies must be revealed to rank by them; got hidden ones")
    val = np.array([e.validation_accuracy for e in board_entries], dtype=np.float64)
    test = np.array([e.test_accuracy for e in board_entries], dtype=np.float64)
    return ranks(val), ranks(test)
