"""AppTest of the Class board page on SQLite (a temporary file) and on a real PostgreSQL server (via secrets)."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_board import postgres_url  # noqa: F401  (the PostgreSQL server fixture)

from logreg_core.board import ClassBoard, make_engine, sqlite_url
from logreg_core.data import synthetic_dataset
from logreg_core.split import validation_dataset

from conftest import DASHBOARD

PAGE = "pages/board.py"
PIN = "1357"


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "data" / "board.sqlite3"
    monkeypatch.setenv("LOGREG_BOARD_DB", str(path))
    monkeypatch.setenv("LOGREG_TEACHER_PIN", PIN)
    return path


def board_page(query=None, secrets=None):
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    if secrets:
        at.secrets.update(secrets)
    at.run()
    at.switch_page(PAGE)
    if query:
        at.query_params.update(query)
    return ok(at.run())


def submit(at, nickname, rate=0.005, iterations=300, scaling="255"):
    at.text_input(key="board_nickname").set_value(nickname)
    at.number_input(key="board_rate").set_value(rate)
    at.number_input(key="board_iterations").set_value(iterations)
    at.selectbox(key="board_scaling").set_value(scaling)
    at.button[[b.label for b in at.button].index("Train and submit")].click()
    return ok(at.run())


def stored(path, code="class"):
    board = ClassBoard(make_engine(sqlite_url(path)))
    try:
        return board.entries(code)
    finally:
        board.engine.dispose()


def test_submit_shows_the_run_ranked_and_plain(db):
    at = board_page()
    submit(at, "<b>x</b> **Ada**")
    assert any(s.value.startswith("Submitted: train") for s in at.success)
    submit(at, "Bob", rate=0.02, scaling="zscore")
    entries = stored(db)
    vals = [e.validation_accuracy for e in entries]
    assert len(entries) == 2 and vals == sorted(vals, reverse=True)  # ranked by validation
    assert [e.nickname for e in entries] == at.dataframe[0].value["nickname"].tolist()
    # the accuracies are the model's on the validation split carved from the training set
    ds = synthetic_dataset()
    carved = validation_dataset(ds, 0.2, seed=0)
    assert all(
        abs(e.validation_accuracy * len(carved.test_y) / 100 - round(e.validation_accuracy * len(carved.test_y) / 100))
        < 1e-9
        for e in entries
    )
    assert all(e.test_accuracy is None for e in entries)
    table = at.dataframe[0].value
    assert "<b>x</b> **Ada**" in table["nickname"].tolist()  # as text, verbatim
    assert "test %" not in table.columns
    spec = at.get("plotly_chart")[0].proto.spec
    assert "&lt;b&gt;x" in spec and "<b>x</b>" not in spec  # inert in the figure


def test_bad_nicknames_and_too_many_runs_get_one_line(db):
    at = board_page()
    submit(at, "   ")
    assert [e.value for e in at.error] == [
        ("Not submitted: nickname must hold 1 to 24 visible characters; got an empty one.")
    ]
    for name in ("a", "b", "c"):
        submit(at, name, iterations=50)
    submit(at, "d", iterations=50)
    assert any("at most 3 runs a minute" in e.value for e in at.error)
    assert len(stored(db)) == 3


def test_teacher_reveals_clears_and_starts_a_new_board(db):
    at = board_page(query={"board": "room-7"})
    for name, rate in (("a", 0.001), ("b", 0.01)):
        submit(at, name, rate=rate, iterations=200)
    at.toggle(key="board_teacher_tools").set_value(True)
    ok(at.run())
    at.text_input(key="board_pin_input").set_value("0000")
    at.button[[b.label for b in at.button].index("Unlock")].click()
    ok(at.run())
    assert any(e.value == "Wrong PIN." for e in at.error)
    assert "board_reveal" not in [b.key for b in at.button]
    at.text_input(key="board_pin_input").set_value(PIN)
    at.button[[b.label for b in at.button].index("Unlock")].click()
    ok(at.run())
    at.button(key="board_reveal").click()
    ok(at.run())
    assert "The test set is revealed" in [h.value for h in at.header]
    assert "test %" in at.dataframe[0].value.columns
    entries = stored(db, "room-7")
    assert all(e.test_accuracy is not None for e in entries)
    assert stored(db, "class") == []  # another board is untouched
    at.checkbox(key="board_confirm_clear").check()
    ok(at.run())
    at.button(key="board_clear").click()
    ok(at.run())
    assert stored(db, "room-7") == []
    at.button(key="board_new").click()
    ok(at.run())
    code = at.query_params["board"]
    code = code[0] if isinstance(code, list) else code
    assert code != "room-7" and len(code) == 6


def test_without_a_pin_teacher_actions_are_off(db, monkeypatch):
    monkeypatch.delenv("LOGREG_TEACHER_PIN")
    at = board_page()
    at.toggle(key="board_teacher_tools").set_value(True)
    ok(at.run())
    assert any("LOGREG_TEACHER_PIN" in c.value for c in at.caption)
    assert "board_reveal" not in [b.key for b in at.button]


def test_a_bad_board_code_falls_back_with_one_line(db):
    at = board_page(query={"board": "../../etc"})
    assert any(e.value.startswith("board code must be") for e in at.error)


def test_a_broken_database_shows_one_line_and_the_lab_goes_on(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LOGREG_BOARD_DB", str(blocker / "board.sqlite3"))
    at = board_page()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "cannot be reached" in errors[0] and "\n" not in errors[0]
    at.switch_page("pages/train.py")
    ok(at.run())


def test_the_board_on_postgresql_from_secrets(postgres_url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LOGREG_TEACHER_PIN", PIN)
    monkeypatch.delenv("LOGREG_BOARD_DB", raising=False)
    at = board_page(query={"board": "pg-room"}, secrets={"connections": {"board": {"url": postgres_url}}})
    submit(at, "Pat", iterations=100)
    engine = make_engine(postgres_url)
    try:
        entries = ClassBoard(engine).entries("pg-room")
    finally:
        engine.dispose()
    assert [e.nickname for e in entries] == ["Pat"]
    assert at.dataframe[0].value["nickname"].tolist() == ["Pat"]
    assert np.isfinite(entries[0].validation_accuracy)
