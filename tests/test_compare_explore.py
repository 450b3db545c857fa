"""Run records and comparisons (compare.py), and the numbers the Data page shows (explore.py)."""

import csv
import io
import math

import numpy as np
import pytest

from logreg_core.compare import (
    RunRecord,
    costs_csv,
    default_run_index,
    paced_target,
    run_status,
    snapshot_at,
    snapshot_weights,
    summarize,
)
from logreg_core.explore import (
    class_counts,
    flat_index,
    flatten_walkthrough,
    majority_baseline,
    pixel_histograms,
    sample_indices,
)
from logreg_core.preprocess import flatten
from logreg_core.settings import TrainSettings
from logreg_core.training import GradientDescent

from course import course_loop


def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 12))
    Y = (X[0] > 0).astype(float)
    X_test = rng.normal(size=(30, 5))
    Y_test = (X_test[0] > 0).astype(float)
    return X, Y, X_test, Y_test


def small_run(lr=0.1, iterations=60, every=20, method="kernel", seed=0, scaling="255"):
    X, Y, X_test, Y_test = small_problem(seed)
    return GradientDescent(
        X,
        Y,
        TrainSettings(
            learning_rate=lr, num_iterations=iterations, snapshot_every=every, method=method, scaling=scaling
        ),
        X_test,
        Y_test,
    )


def test_a_stopped_run_becomes_a_light_record_that_shows_where_it_stopped():
    """The record's last snapshot is the state after 33 updates: the course loop's, to relative 1e-12."""
    run = small_run()
    run.step(33)
    record = RunRecord.from_run(run)
    assert record.stopped and run_status(record) == "stopped" and record.done
    assert [s.iteration for s in record.snapshots] == [0, 20, 33]
    # Light: α (m numbers) per snapshot and the run's own X, not a copy of it nor w (n numbers) per snapshot.
    assert all(s.basis is run.X and s.coef.shape == (run.X.shape[1],) for s in record.snapshots)
    X, Y, _, _ = small_problem()
    w_33, b_33, _ = course_loop(X, Y, 0.1, 33)
    cost_33 = course_loop(X, Y, 0.1, 34)[2][33]  # the cost after 33 updates
    np.testing.assert_allclose(record.final.w, w_33, rtol=1e-12, atol=1e-15)
    assert record.final.b == pytest.approx(b_33, rel=1e-12)
    assert record.final.cost == pytest.approx(cost_33, rel=1e-12)
    assert summarize(record)["cost"] == record.final.cost and summarize(record)["iteration"] == 33
    assert RunRecord.from_run(record) is record


def test_a_finished_run_is_done_and_summarized():
    run = small_run().run()
    record = RunRecord.from_run(run)
    assert not record.stopped and run_status(record) == "done"
    s = summarize(record)
    assert s["iteration"] == 60 and s["cost"] == record.final.cost
    assert s["gap"] == pytest.approx(s["train_accuracy"] - s["test_accuracy"])
    assert run_status(small_run()) == "running"


def test_default_run_is_the_course_run_whatever_the_accuracies():
    runs = [small_run(lr=lr, scaling=sc).run() for lr, sc in ((0.5, "none"), (0.001, "255"), (0.005, "255"))]
    assert default_run_index(runs) == 2  # /255 at the course's α, not the best-scoring
    diverged = RunRecord.from_run(runs[2])
    diverged = RunRecord(
        diverged.settings,
        diverged.costs,
        diverged.snapshots,
        diverged.iteration,
        True,
        False,
        diverged.method,
        diverged.w,
        diverged.b,
    )
    assert default_run_index([runs[0], runs[1], diverged]) == 1
    assert default_run_index([runs[0], diverged]) == 0
    assert default_run_index([diverged]) is None


def test_a_run_frozen_where_the_screen_was_ends_there():
    run = small_run()
    run.step(20)
    seen = run.current_snapshot()
    run.step(15)  # trained on after the last frame shown
    record = RunRecord.from_run(run, at=seen)
    assert record.iteration == 20 and record.stopped and len(record.costs) == 20
    assert record.snapshots[-1].iteration == 20 and record.b == seen.b
    np.testing.assert_array_equal(record.w, seen.w)
    assert run_status(record) == "stopped" and summarize(record)["iteration"] == 20


def test_costs_csv_has_one_column_per_run_and_blank_cells_for_shorter_runs():
    text = costs_csv(["a", "b"], [[0.5, 0.25, 0.125], [0.5]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["iteration", "a", "b"], ["0", "0.5", "0.5"], ["1", "0.25", ""], ["2", "0.125", ""]]
    with pytest.raises(ValueError, match="got 1 names for 2 cost histories"):
        costs_csv(["a"], [[1.0], [2.0]])


def test_pacing_and_snapshot_lookup():
    assert paced_target(0.0, 5.0, 2000) == 0
    assert paced_target(2.5, 5.0, 2000) == 1000
    assert paced_target(9.0, 5.0, 2000) == 2000
    assert paced_target(1.0, 3.0, 2000, multiple=10) == 670  # 666.7 → 667 → the next multiple of 10
    assert paced_target(2.999, 3.0, 1995, multiple=10) == 1995  # 1994.3 → 1995 → 2000, never past the end
    assert paced_target(0.0, 3.0, 2000, multiple=10) == 0
    run = small_run().run()
    assert snapshot_at(run.snapshots, 35).iteration == 20
    assert snapshot_at(run.snapshots, 60).iteration == 60
    assert snapshot_at([], 5) is None


def test_class_counts_and_samples():
    y = np.array([0, 1, 1, 0, 1])
    assert class_counts(y, np.array([1, 1])) == {"train": (2, 3), "test": (0, 2)}
    picked = sample_indices(np.arange(100) % 2, which=1, n=10, seed=3)
    assert len(picked) == 10 and np.all(picked % 2 == 1) and np.all(np.diff(picked) > 0)
    np.testing.assert_array_equal(picked, sample_indices(np.arange(100) % 2, which=1, n=10, seed=3))


def test_flat_index_matches_flatten():
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    column = flatten(image[None])[:, 0]
    for row, col, ch in [(0, 0, 0), (0, 1, 2), (1, 0, 0), (3, 4, 2)]:
        assert column[flat_index(row, col, ch, image.shape)] == image[row, col, ch]
    with pytest.raises(ValueError, match=r"pixel \(4, 0, 0\) is outside an image of shape \(4, 5, 3\)"):
        flat_index(4, 0, 0, image.shape)
    entries = flatten_walkthrough(image)
    assert [e["index"] for e in entries] == sorted(e["index"] for e in entries)
    assert all(column[e["index"]] == e["value"] for e in entries)
    assert entries[-1]["index"] == column.size - 1


def test_pixel_histograms_standardize_per_feature_on_the_training_set():
    x = np.random.default_rng(0).integers(0, 256, size=(40, 6, 6, 3), dtype=np.uint8)
    hists = pixel_histograms(x, bins=16)
    assert set(hists) == {"none", "255", "zscore"}
    assert hists["none"]["max"] <= 255 and hists["255"]["max"] <= 1.0
    assert hists["zscore"]["mean"] == pytest.approx(0.0, abs=1e-12)
    assert hists["zscore"]["std"] == pytest.approx(1.0, rel=1e-12)
    total = x.size
    for h in hists.values():
        assert int(h["counts"].sum()) + h["below"] + h["above"] == total
    assert math.isclose(hists["255"]["mean"] * 255, hists["none"]["mean"], rel_tol=1e-12)


def test_the_majority_baseline_is_chosen_on_train_and_scored_on_both_splits():
    base = majority_baseline(np.array([0, 0, 0, 1]), np.array([1, 1, 0]))
    assert base.label == 0 and base.train_accuracy == 75.0 and base.test_accuracy == pytest.approx(100 / 3)
    assert majority_baseline(np.array([1, 1, 0]), np.array([], dtype=int)).label == 1
    with pytest.raises(ValueError, match="at least one label"):
        majority_baseline(np.array([]), np.array([1]))


@pytest.mark.parametrize("method", ["kernel", "direct"])
def test_snapshot_weights_are_every_snapshots_w_in_one_product(method):
    run = small_run(method=method)
    run.step(60)
    record = RunRecord.from_run(run)
    W = snapshot_weights(record.snapshots)
    assert W.shape == (len(record.snapshots), run.X.shape[0])
    for row, snap in zip(W, record.snapshots, strict=True):
        np.testing.assert_allclose(row, snap.w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(W[-1], record.w, rtol=1e-12, atol=1e-15)
    assert snapshot_weights([]).shape == (0, 0)
