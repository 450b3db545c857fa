"""Class board: everyone's run, ranked by validation accuracy; the teacher reveals the test set at the end.

Storage: SQLite in ``data/board.sqlite3`` (or the file in ``LOGREG_BOARD_DB``), or any SQLAlchemy URL given
as ``[connections.board] url = "postgresql+psycopg://…"`` in ``.streamlit/secrets.toml`` (opened with
``st.connection("board", type="sql", url=…)``). Teacher actions need the PIN from ``LOGREG_TEACHER_PIN`` or
``teacher_pin = "…"`` in the secrets.
"""

from __future__ import annotations

import hmac
import os
import time
import uuid

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.errors import StreamlitAPIException

from logreg_core.board import (
    DEFAULT_CODE,
    NICKNAME_MAX,
    ClassBoard,
    Submission,
    check_code,
    make_engine,
    new_code,
    rank_changes,
    sqlite_url,
)
from logreg_core.data import PROJECT_DATA_DIR
from logreg_core.preprocess import SCALING_LABELS
from logreg_core.settings import SCALINGS, TrainSettings
from logreg_core.split import fit_with_validation
from ui import figures_eval, session

REFRESH_SECONDS = 5
MAX_ITERATIONS = 5000
VALIDATION_FRACTION = 0.2
PIN_TRIES = 5
DB_ENV = "LOGREG_BOARD_DB"
PIN_ENV = "LOGREG_TEACHER_PIN"


def _secrets_get(*path):
    """A value from .streamlit/secrets.toml, or None (also when there is no secrets file)."""
    try:
        node = st.secrets
        for part in path:
            node = node[part]
        return node
    except (FileNotFoundError, KeyError, AttributeError, TypeError, ValueError):  # no file, no key: not configured
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def sqlite_board(path):
    """The board in a SQLite file, tables created once per process."""
    board = ClassBoard(make_engine(sqlite_url(path)))
    board.create_tables()
    return board


@st.cache_resource(show_spinner=False, max_entries=4)
def tables_ready(url):
    """Create the tables once per process and database."""
    ClassBoard(st.connection("board", type="sql", url=url).engine).create_tables()
    return url


def get_board():
    """The class board: PostgreSQL (or any URL) from the secrets, else the SQLite file."""
    url = _secrets_get("connections", "board", "url")
    if url:
        conn = st.connection("board", type="sql", url=str(url))
        tables_ready(str(url))
        return ClassBoard(conn.engine)
    return sqlite_board(os.environ.get(DB_ENV) or str(PROJECT_DATA_DIR / "board.sqlite3"))


def db_failed(exc):
    st.error(
        f"The class board's database cannot be reached ({type(exc).__name__}); the board is unavailable "
        f"for now, the rest of the lab works as usual."
    )


def teacher_pin():
    pin = os.environ.get(PIN_ENV) or _secrets_get("teacher_pin")
    return str(pin) if pin else None


def board_code():
    raw = st.query_params.get("board", DEFAULT_CODE)
    try:
        return check_code(raw)
    except ValueError as exc:
        st.error(f"{exc}. Showing the board “{DEFAULT_CODE}” instead.")
        return DEFAULT_CODE


def clear_board(board, code):
    """The Clear button's callback: delete the board's runs, untick the confirmation."""
    st.session_state["board_confirm_clear"] = False
    try:
        n = board.clear(code)
    except (SQLAlchemyError, OSError) as exc:
        st.session_state["board_clear_note"] = f"Not cleared: the database cannot be reached ({type(exc).__name__})."
    else:
        st.session_state["board_clear_note"] = f"Board {code}: {n} runs deleted."


def entries_frame(entries, revealed):
    """The board as a table (nicknames stay plain text in a dataframe); a data column if runs used different data."""
    mixed = len({e.dataset for e in entries}) > 1
    rows = []
    for rank, e in enumerate(entries, start=1):
        row = {
            "rank": rank,
            "nickname": e.nickname,
            "scaling": SCALING_LABELS.get(e.scaling, e.scaling),
            "α": e.learning_rate,
            "iterations": e.num_iterations,
            "train %": e.train_accuracy,
            "validation %": e.validation_accuracy,
        }
        if revealed:
            row["test %"] = e.test_accuracy
        if mixed:
            row["data"] = e.dataset
        rows.append(row)
    return pd.DataFrame(rows)


st.title("Class board")
code = board_code()
st.session_state.setdefault("board_session", uuid.uuid4().hex)
st.caption(
    f"Board **{code}**: everyone with `?board={code}` in the address sees the same board. Runs are ranked on a "
    f"validation split ({VALIDATION_FRACTION:.0%} of each class, the same for everyone); the test set stays "
    f"hidden until the teacher reveals it."
)
# The ranking is the page's main thing: it comes first (in the first screen at 150 % zoom), the form below it.
ranking_slot = st.container()
try:
    board = get_board()
except (SQLAlchemyError, OSError, ValueError, ImportError, StreamlitAPIException) as exc:  # a bad URL, no driver
    db_failed(exc)
    st.stop()

# -- submit ----------------------------------------------------------------------------------
dataset = session.get_dataset()
with st.form("board_submit", border=True):
    st.markdown(f"**Submit a run** on {dataset.source}")
    a, d, b, c = st.columns(4)  # one row: the form stays short on a projector
    nickname = a.text_input("Nickname", max_chars=NICKNAME_MAX, key="board_nickname")
    scaling = d.selectbox("Scaling", SCALINGS, index=1, format_func=lambda s: SCALING_LABELS[s], key="board_scaling")
    rate = b.number_input(
        "Learning rate α", min_value=1e-6, max_value=10.0, value=0.005, step=0.001, format="%g", key="board_rate"
    )
    iterations = c.number_input(
        "Iterations", min_value=1, max_value=MAX_ITERATIONS, value=2000, step=100, key="board_iterations"
    )
    sent = st.form_submit_button("Train and submit", type="primary")
if sent:
    try:
        settings = TrainSettings(learning_rate=float(rate), num_iterations=int(iterations), scaling=scaling)
        draft = Submission(nickname, settings, 0.0, 0.0, 0.0, dataset.source)  # checks the nickname first
        recent = board.recent_submissions(code, st.session_state["board_session"])
        if recent >= board.rate_limit:
            raise ValueError(
                f"at most {board.rate_limit} runs a minute from one browser; got {recent} in the "
                f"last {board.rate_window:.0f} s — wait a moment"
            )
        with st.spinner("Training on the training set without the validation split…"):
            train_acc, val_acc, test_acc = fit_with_validation(dataset, settings, VALIDATION_FRACTION, seed=0)
        board.submit(
            code,
            st.session_state["board_session"],
            Submission(draft.nickname, settings, train_acc, val_acc, test_acc, dataset.source),
        )
    except ValueError as exc:
        st.error(f"Not submitted: {exc}.")
    except (SQLAlchemyError, OSError) as exc:
        db_failed(exc)
    else:
        st.success(
            f"Submitted: train {train_acc:.1f} %, validation {val_acc:.1f} %. The test accuracy stays "
            f"hidden until the teacher reveals it."
        )


# -- the board, refreshed for everyone ---------------------------------------------------------
@st.fragment(run_every=REFRESH_SECONDS)
def show_board(board, code):
    try:
        entries = board.entries(code)
        revealed = board.is_revealed(code)
    except (SQLAlchemyError, OSError) as exc:
        db_failed(exc)
        return
    st.subheader(f"Ranking by validation accuracy ({len(entries)} run{'s' if len(entries) != 1 else ''})")
    if not entries:
        st.caption(f"No run on board “{code}” yet. Refreshes every {REFRESH_SECONDS} s.")
        return
    frame = entries_frame(entries, revealed)
    # The ranking takes the page's width (at 150 % zoom a half column would hide its accuracy columns);
    # the scatter follows below it.
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(300, 40 + 35 * len(frame)),  # scrolls inside: the form stays near
        column_config={
            "α": st.column_config.NumberColumn(format="%g"),
            **{k: st.column_config.NumberColumn(format="%.1f") for k in ("train %", "validation %", "test %")},
            "nickname": st.column_config.TextColumn(width="medium"),
        },
    )
    st.caption(f"Refreshes every {REFRESH_SECONDS} s. Ties share a rank order by time of submission.")
    st.plotly_chart(
        figures_eval.board_scatter_figure(
            [e.nickname for e in entries],
            [e.learning_rate for e in entries],
            [e.validation_accuracy for e in entries],
            [e.scaling for e in entries],
            SCALING_LABELS,
        ),
        theme=None,
        key="board_scatter",
        width="stretch",
    )
    if revealed:
        val_rank, test_rank = rank_changes(entries)
        st.header("The test set is revealed")
        moved = int((val_rank != test_rank).sum())
        best_val = entries[0]
        test_best = entries[int(test_rank.argmin())]
        st.markdown(
            f"{moved} of {len(entries)} runs changed rank. The best on validation scores "
            f"**{best_val.test_accuracy:.1f} %** on the test set; the best on test scores "
            f"**{test_best.test_accuracy:.1f} %**. Choosing among many runs by one set overfits that set: "
            f"the only honest number is the one measured on data never used to choose."
        )
        st.text(f"Best on validation: {best_val.nickname}   ·   best on test: {test_best.nickname}")
        st.plotly_chart(
            figures_eval.rank_change_figure([e.nickname for e in entries], val_rank, test_rank),
            theme=None,
            key="board_ranks",
        )


with ranking_slot:  # drawn after the form's submission so a new run is already on it
    show_board(board, code)

# -- teacher ----------------------------------------------------------------------------------
st.divider()
if st.toggle("Teacher tools", key="board_teacher_tools"):
    pin = teacher_pin()
    if pin is None:
        st.caption(
            f'Teacher actions are off: set the environment variable {PIN_ENV} or `teacher_pin = "…"` '
            f"in .streamlit/secrets.toml, then restart the app."
        )
    elif not st.session_state.get("board_teacher"):
        tries = [t for t in st.session_state.get("board_pin_tries", []) if t > time.time() - 300]
        st.session_state["board_pin_tries"] = tries
        with st.form("board_pin"):
            typed = st.text_input("Teacher PIN", type="password", key="board_pin_input")
            unlock = st.form_submit_button("Unlock", disabled=len(tries) >= PIN_TRIES)
        if len(tries) >= PIN_TRIES:
            st.error(f"{PIN_TRIES} wrong PINs in 5 minutes; try again later.")
        elif unlock:
            if hmac.compare_digest(typed.encode(), pin.encode()):
                st.session_state["board_teacher"] = True
                st.rerun()
            tries.append(time.time())
            st.error("Wrong PIN.")
    else:
        try:
            revealed = board.is_revealed(code)
            a, b, c, d = st.columns(4)
            if a.button(
                "Hide the test accuracies" if revealed else "Reveal the test accuracies",
                key="board_reveal",
                type="primary",
                width="stretch",
            ):
                board.reveal(code, not revealed)
                st.rerun()
            confirm = d.checkbox("Yes, delete every run of this board", key="board_confirm_clear")
            b.button(
                "Clear this board",
                key="board_clear",
                disabled=not confirm,
                width="stretch",
                on_click=clear_board,
                args=(board, code),
            )
            if c.button("Start a new board", key="board_new", width="stretch"):
                st.query_params["board"] = new_code()
                st.rerun()
        except (SQLAlchemyError, OSError) as exc:
            db_failed(exc)
        if "board_clear_note" in st.session_state:
            st.info(st.session_state.pop("board_clear_note"))
        st.caption(f"Students join with the page address ending in /board?board={code}.")
        if st.button("Lock teacher actions", key="board_lock"):
            st.session_state["board_teacher"] = False
            st.rerun()
