"""ui.shared: data prepared once per process, a fair bounded training scheduler, one BLAS thread."""

import ctypes
import threading
import time

import numpy as np
import pytest

from logreg_core.data import Dataset, synthetic_dataset
from logreg_core.pipeline import start_training
from logreg_core.settings import TrainSettings
from ui import server, shared


def test_prepared_data_is_shared_by_equal_data_sets():
    a = synthetic_dataset()
    b = Dataset(a.train_x.copy(), a.train_y.copy(), a.test_x.copy(), a.test_y.copy(), a.classes, "copy")
    assert shared.prepared(a) is shared.prepared(b)
    flipped = a.train_y.copy()
    flipped[3] = 1 - flipped[3]
    c = Dataset(a.train_x, flipped, a.test_x, a.test_y, a.classes, "other labels")
    assert shared.prepared(c) is not shared.prepared(a)


def test_scheduler_bounds_concurrency_and_serves_in_order():
    """Two slots, six trainers arriving one after the other: never more than two step, and each freed
    slot goes to the longest-waiting trainer (each trainer holds its slot until the test releases it)."""
    gate = shared.TrainingScheduler(2)
    active, peak = [0], [0]
    lock = threading.Lock()
    release = {f"s{i}": threading.Event() for i in range(6)}

    def trainer(name):
        with gate.turn(name):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            release[name].wait(10)
            with lock:
                active[0] -= 1

    def wait_until(condition):
        deadline = time.monotonic() + 5
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.005)
        return condition()

    threads = []
    for i in range(6):
        t = threading.Thread(target=trainer, args=(f"s{i}",))
        t.start()
        threads.append(t)
        assert wait_until(lambda i=i: gate.stepping + gate.waiting == i + 1)  # queued before the next arrives
    assert gate.stepping == 2 and gate.waiting == 4
    assert gate.place("s0") == 0 and gate.place("s2") == 1 and gate.place("s5") == 4
    assert gate.place("nobody") is None
    # Free one slot at a time, out of order within the running pair: the next in line gets it every time.
    for done, next_in_line, still_waiting in (("s1", "s2", "s3"), ("s0", "s3", "s4"), ("s3", "s4", "s5")):
        release[done].set()
        assert wait_until(lambda n=next_in_line: gate.place(n) == 0), f"{next_in_line} should step after {done}"
        assert gate.place(still_waiting) == 1 and gate.stepping == 2
    for event in release.values():
        event.set()
    for t in threads:
        t.join(10)
    assert peak[0] == 2
    assert gate.stepping == 0 and gate.waiting == 0


def test_a_waiting_trainer_is_told_its_place_and_can_give_up():
    gate = shared.TrainingScheduler(1)
    places = []
    with (
        gate.turn("first"),
        pytest.raises(TimeoutError, match="no training slot within 0.2 s"),
        gate.turn("second", on_wait=places.append, poll=0.05, timeout=0.2),
    ):
        pass
    assert places and set(places) == {1}
    assert gate.waiting == 0 and gate.stepping == 0
    with gate.turn("third"):  # the slot is free again
        assert gate.place("third") == 0


def test_a_turn_inside_a_turn_is_free_and_the_slot_stays_taken_until_the_outer_one_ends():
    """A page holds one turn for a time slice and steps several runs, each of which asks for a turn too."""
    gate = shared.TrainingScheduler(1)
    others = []

    def other():
        with gate.turn("other"):
            others.append(time.monotonic())

    with gate.turn("me"):
        with gate.turn("me"), gate.turn("me"):  # would wait forever on a one-slot gate if not reentrant
            assert gate.stepping == 1 and gate.place("me") == 0
        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.1)
        assert others == [] and gate.place("other") == 1  # the inner turns ending did not free the slot
        released = time.monotonic()
    t.join(5)
    assert others and others[0] >= released
    assert gate.stepping == 0 and gate.waiting == 0


def test_scheduler_settings_are_validated():
    with pytest.raises(ValueError, match="slots must be a whole number ≥ 1; got 0"):
        shared.TrainingScheduler(0)
    with pytest.raises(ValueError, match="LOGREG_TRAIN_SLOTS must be a whole number ≥ 1; got 'two'"):
        shared.default_slots({"LOGREG_TRAIN_SLOTS": "two"})
    assert shared.default_slots({"LOGREG_TRAIN_SLOTS": "3"}) == 3
    assert shared.default_slots({}) >= 1
    assert shared.share_runs({}) and shared.share_runs({"LOGREG_SHARE_RUNS": "1"})
    assert not shared.share_runs({"LOGREG_SHARE_RUNS": "0"})
    with pytest.raises(ValueError, match="LOGREG_SHARE_RUNS must be 0 or 1; got 'no'"):
        shared.share_runs({"LOGREG_SHARE_RUNS": "no"})


def test_a_scheduled_run_steps_through_the_gate_and_reads_like_the_run():
    data = synthetic_dataset()
    run, _ = start_training(
        data, TrainSettings(num_iterations=20, snapshot_every=10), shared.prepared(data).scaled("255")
    )
    gate = shared.TrainingScheduler(1)
    wrapped = shared.ScheduledRun(run, gate, "me")
    seen = []
    original = gate.turn

    def spy(*args, **kwargs):
        seen.append(args[0])
        return original(*args, **kwargs)

    gate.turn = spy
    while not wrapped.done:
        wrapped.step(7)
    assert seen == ["me", "me", "me"]
    assert wrapped.iteration == 20 and len(wrapped.costs) == 20
    np.testing.assert_array_equal(wrapped.w, run.w)


def test_blas_is_limited_to_one_thread():
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    lib = ctypes.CDLL(min(paths))
    getter = next(
        getattr(lib, n) for n in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads") if hasattr(lib, n)
    )
    before = getter()
    try:
        assert server.limit_blas_threads(1)
        assert getter() == 1
    finally:
        server.limit_blas_threads(before)  # the other tests keep the process's setting
    assert getter() == before


def test_the_reaper_shuts_down_expired_sessions_only():
    from types import SimpleNamespace

    shut = []

    class Storage:
        def __init__(self):
            self._cache = SimpleNamespace(
                expire=lambda: [
                    (sid, SimpleNamespace(session=SimpleNamespace(shutdown=lambda sid=sid: shut.append(sid))))
                    for sid in ("old-1", "old-2")
                ]
            )

    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    left = [1]  # sessions still there after the expired ones went
    here = SimpleNamespace(session=SimpleNamespace(id="here"))
    files = MemoryUploadedFileManager("/_stcore/upload_file")
    for sid in ("here", "old-1"):  # old-1's photo finished arriving after it was shut down
        files.add_file(sid, UploadedFileRec("1", "cat.jpg", "image/jpeg", b"x"))
    runtime = SimpleNamespace(
        _session_mgr=SimpleNamespace(
            _session_storage=Storage(),
            _storage_lock=threading.Lock(),
            num_sessions=lambda: left[0],
            list_sessions=lambda: [here],
        ),
        uploaded_file_mgr=files,
    )
    dataset = synthetic_dataset()
    kept = shared.prepared(dataset)
    reap_once = server._Reaper()
    assert reap_once(runtime) == 2
    assert shut == ["old-1", "old-2"]
    assert set(files.file_storage) == {"here"}  # the stray file went; the student's stayed
    assert shared.prepared(dataset) is kept  # a student is still there: the shared data stays
    left[0] = 0
    assert reap_once(runtime) == 2
    assert shared.prepared(dataset) is not kept  # the class has left: the shared data was dropped
    runtime._session_mgr._session_storage._cache.expire = list
    assert reap_once(runtime) == 0


def test_an_empty_server_is_cleaned_even_when_streamlit_expired_the_sessions_itself():
    """Streamlit drops expired sessions on its own when another one disconnects: the reaper then
    removes nothing, yet the server is empty and the shared data must go (once)."""
    from types import SimpleNamespace

    left = [3]
    runtime = SimpleNamespace(
        _session_mgr=SimpleNamespace(
            _session_storage=SimpleNamespace(_cache=SimpleNamespace(expire=list)),
            num_sessions=lambda: left[0],
            list_sessions=list,
        )
    )
    dataset = synthetic_dataset()
    reap_once = server._Reaper()
    kept = shared.prepared(dataset)
    assert reap_once(runtime) == 0 and shared.prepared(dataset) is kept
    left[0] = 0  # they left and Streamlit expired them
    assert reap_once(runtime) == 0 and shared.prepared(dataset) is not kept
    again = shared.prepared(dataset)  # made again between two passes (a script thread still ending)
    assert reap_once(runtime) == 0 and shared.prepared(dataset) is not again  # the second empty pass cleans too
    last = shared.prepared(dataset)
    assert reap_once(runtime) == 0 and shared.prepared(dataset) is last  # then the empty server is left alone
    left[0] = 1
    assert reap_once(runtime) == 0 and shared.prepared(dataset) is last
    left[0] = 0  # a new class came and went: cleaned again
    assert reap_once(runtime) == 0 and shared.prepared(dataset) is not last


def test_the_allocator_is_tuned_on_glibc():
    assert server.tune_malloc() is True  # Debian's glibc takes both settings (and again: it is idempotent)
    assert server.tune_malloc() is True


def test_live_frames_are_shared_out_when_many_sessions_draw():
    charts = shared.LiveCharts()
    assert charts.frame_period(0.07) == 0.07
    with charts.drawing():
        assert charts.frame_period(0.07) == 0.07  # one session draws at its own pace
    with charts.drawing(), charts.drawing():
        assert charts.count == 2 and charts.frame_period(0.07) == pytest.approx(2 / shared.SERVER_FRAMES_PER_SECOND)
        with pytest.raises(RuntimeError), charts.drawing():  # a Stop (any exception) still leaves
            assert charts.count == 3
            raise RuntimeError("stop")
        assert charts.count == 2
    for _ in range(30):
        charts._count += 1
    assert charts.frame_period(0.07) == pytest.approx(30 / shared.SERVER_FRAMES_PER_SECOND)  # 30 sessions share
    charts._count = 0


def test_ended_sessions_that_streamlit_still_holds_are_emptied():
    """Streamlit's message loop keeps the last flushed session in a local variable, and it forgets expired
    sessions without always shutting them down: once they are not served, their state must go."""
    from streamlit.runtime.app_session import AppSession, AppSessionState
    from streamlit.runtime.state import SessionState

    def session(name, state):
        s = object.__new__(AppSession)  # the real class, without a server behind it
        s._state, s.id = state, name
        s._session_state = SessionState()
        s._session_state["runs"] = {"#1 raw": "a run"}
        return s

    ended = session("ended", AppSessionState.SHUTDOWN_REQUESTED)
    served = session("served", AppSessionState.APP_NOT_RUNNING)
    try:
        assert server.release_ended_sessions(live={"served"}) >= 1
        assert "runs" not in ended._session_state and served._session_state["runs"] == {"#1 raw": "a run"}
    finally:
        served._state = AppSessionState.SHUTDOWN_REQUESTED  # its __del__ shuts down only a live session


def test_runs_on_a_big_kernel_step_together_with_the_numbers_each_gets_alone(monkeypatch):
    from logreg_core.training import GradientDescent, make_gram, step_together

    grouped = []

    def spy(runs, n_steps):
        grouped.append(len(runs))
        return step_together(runs, n_steps)

    monkeypatch.setattr(shared, "step_together", spy)

    rng = np.random.default_rng(3)
    m = 1100  # from BLOCKED_MIN_EXAMPLES on, the runs sharing K step together
    X = rng.uniform(0, 1, (40, m))
    Y = (rng.uniform(size=m) > 0.5).astype(float)
    gram = make_gram(X)

    def runs():
        return [
            GradientDescent(X, Y, TrainSettings(learning_rate=rate, num_iterations=30, method="kernel"), gram=gram)
            for rate in (0.05, 0.01)
        ]

    gate = shared.TrainingScheduler(1)
    together = [shared.ScheduledRun(r, gate, "me") for r in runs()]
    alone = runs()
    with gate.turn("me"):
        for _ in range(4):
            shared.step_runs(together, 8)
    for r in alone:
        r.step(30)
    assert grouped == [2, 2, 2, 2]  # both runs in one call each time: K read once per step for both
    for a, b in zip(together, alone, strict=True):
        assert a.iteration == b.iteration == 30
        assert a.costs == b.costs  # the same bits
        np.testing.assert_array_equal(a.w, b.w)


def test_an_unexpected_page_error_is_one_line_without_paths_or_traceback():
    line = server.script_error_line(ValueError('boom\n  File "/srv/lab/secret.py", line 3, in <module>'))
    assert "\n" not in line and "ValueError: boom" in line and "secret" not in line
    assert "(KeyError: 'x'" in server.script_error_line(KeyError("x"))
    assert "(RuntimeError)" in server.script_error_line(RuntimeError())
    assert len(server.script_error_line(RuntimeError("y" * 10_000))) < 400
    missing = server.script_error_line(FileNotFoundError(2, "No such file", "/srv/lab/secret-dir/students.csv"))
    assert "secret" not in missing and "srv" not in missing and "students" in missing  # the name, not its folders
    typed = server.script_error_line(ValueError("**bold** [a](http://x) :material/home: $x$"))
    assert "\\*\\*bold\\*\\*" in typed and "\\[a\\]" in typed and "\\:material/home\\:" in typed and "\\$x\\$" in typed

    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no message")

    assert "(Unprintable)" in server.script_error_line(Unprintable())  # still one line, never nothing
