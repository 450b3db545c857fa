"""Blocked symmetric products and runs stepped together: the course's numbers, and each run's own to the bit."""

import math

import numpy as np
import pytest

from logreg_core.data import synthetic_dataset
from logreg_core.kernel_product import BLOCK_ROWS, ProductWork, plan_for, symmetric_products
from logreg_core.pipeline import PreparedDataset, start_training
from logreg_core.settings import TrainSettings
from logreg_core.training import GradientDescent, make_gram, step_together

from course import course_loop


def problem(seed=0, n=400, m=300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    Y = (X[0] + 0.5 * rng.normal(size=m) > 0).astype(float)
    return X, Y


@pytest.mark.parametrize("m, block", [(300, 16), (257, 32), (64, 63), (5, 1)])
def test_blocked_products_equal_k_at_v_to_rounding(m, block):
    rng = np.random.default_rng(m)
    A = rng.normal(size=(m, 40))
    K = A @ A.T
    vs = [rng.normal(size=m) for _ in range(3)]
    plan = plan_for(m, block)
    assert plan.block == block
    outs = [np.full(m, np.nan) for _ in vs]
    symmetric_products(K, [(v, out, ProductWork(plan)) for v, out in zip(vs, outs, strict=True)])
    for v, out in zip(vs, outs, strict=True):
        np.testing.assert_allclose(out, K @ v, rtol=1e-12, atol=1e-12 * np.abs(K @ v).max())


def test_blocked_products_read_only_the_upper_triangle():
    """Garbage below the diagonal blocks must not reach the result: only the upper triangle is read."""
    rng = np.random.default_rng(1)
    m, block = 200, 16
    A = rng.normal(size=(m, 30))
    K = A @ A.T
    broken = K.copy()
    for i0 in range(0, m, block):
        broken[i0 + block :, i0 : i0 + block] = np.nan  # strictly below each diagonal block
    v, out = rng.normal(size=m), np.empty(m)
    symmetric_products(broken, [(v, out, ProductWork(plan_for(m, block)))])
    np.testing.assert_allclose(out, K @ v, rtol=1e-12, atol=1e-12 * np.abs(K @ v).max())
    symmetric_products(broken, [(v, out, ProductWork(plan_for(m, 0)))])  # the single call reads it all
    assert np.isnan(out).any()


def test_a_vector_gets_the_same_bits_alone_or_with_others():
    rng = np.random.default_rng(2)
    m = 300
    A = rng.normal(size=(m, 50))
    K = A @ A.T
    plan = plan_for(m, 32)
    vs = [rng.normal(size=m) for _ in range(3)]
    works = [ProductWork(plan) for _ in vs]
    together = [np.empty(m) for _ in vs]
    symmetric_products(K, [(v, o, w) for v, o, w in zip(vs, together, works, strict=True)])
    for v, o, w in zip(vs, together, works, strict=True):
        alone = np.empty(m)
        symmetric_products(K, [(v, alone, w)])
        assert np.array_equal(alone, o)


def test_plans_by_size_and_bad_arguments():
    assert plan_for(209).block is None  # small K stays in cache: one K @ v
    assert plan_for(4000).block == BLOCK_ROWS
    assert plan_for(4000, 0).block is None and plan_for(10, 10).block is None
    with pytest.raises(ValueError, match="m must be a whole number ≥ 1; got 0"):
        plan_for(0)
    with pytest.raises(ValueError, match="block must be a whole number ≥ 0; got -1"):
        plan_for(10, -1)
    with pytest.raises(ValueError, match="plan"):
        symmetric_products(np.eye(4), [(np.ones(3), np.empty(3), ProductWork(plan_for(3, 1)))])


@pytest.mark.parametrize("block", [None, 16, 64])
def test_blocked_kernel_form_follows_the_course_loop(block):
    """The course loop (tests/course.py) to relative 1e-12 on every cost, blocked or not."""
    X, Y = problem()
    w_ref, b_ref, costs_ref = course_loop(X, Y, 0.01, 300)
    settings = TrainSettings(learning_rate=0.01, num_iterations=300, method="kernel")
    run = GradientDescent(X, Y, settings, gram=make_gram(X, block=block))
    assert run._plan.block == block
    run.run()
    np.testing.assert_allclose(run.costs, costs_ref, rtol=1e-12)
    np.testing.assert_allclose(run.w, w_ref, rtol=1e-10, atol=1e-12 * np.abs(w_ref).max())
    assert run.b == pytest.approx(b_ref, rel=1e-10)


def snapshot_record(run):
    return [(s.iteration, s.b, s.cost, s.train_accuracy, s.test_accuracy, s.coef.tobytes()) for s in run.snapshots]


def test_runs_stepped_together_get_exactly_their_own_numbers():
    """Raw, / 255 (one K), z-score (its own) and a direct run, in lockstep, against each alone: equal bits."""
    data = synthetic_dataset()
    prepared = PreparedDataset(data, block=64)
    cases = [("none", 1e-5, "auto"), ("255", 0.005, "auto"), ("zscore", 0.005, "auto"), ("255", 0.005, "direct")]

    def make():
        runs = []
        for scaling, lr, method in cases:
            settings = TrainSettings(
                scaling=scaling, learning_rate=lr, num_iterations=150, snapshot_every=40, method=method
            )
            runs.append(start_training(data, settings, prepared.scaled(scaling))[0])
        return runs

    alone, together = make(), make()
    assert together[0]._K is together[1]._K and together[0]._plan.block == 64  # shared and blocked
    for run in alone:
        while not run.done:
            run.step(7)
    got = [[] for _ in together]
    while not all(r.done for r in together):
        for i, snaps in enumerate(step_together(together, 11)):
            got[i] += [s.iteration for s in snaps]
    for a, t, seen in zip(alone, together, got, strict=True):
        assert t.costs == a.costs and t.iteration == a.iteration == 150
        assert snapshot_record(t) == snapshot_record(a)
        assert seen == [s.iteration for s in t.snapshots] == [0, 40, 80, 120, 150]
        assert np.array_equal(t.w, a.w) and t.b == a.b


def test_divergence_is_handled_per_run_when_stepped_together():
    """One run diverges, the one sharing its K goes on, each as it would alone."""
    data = synthetic_dataset()
    prepared = PreparedDataset(data, block=64)

    def make():
        wild = TrainSettings(scaling="none", learning_rate=1e305, num_iterations=50, method="kernel")
        calm = TrainSettings(scaling="255", learning_rate=0.005, num_iterations=50, method="kernel")
        return [start_training(data, s, prepared.scaled(s.scaling))[0] for s in (wild, calm)]

    alone, together = make(), make()
    for run in alone:
        run.run()
    with np.errstate(all="raise"):  # no warning escapes from the lockstep either
        while not all(r.done for r in together):
            step_together(together, 10)
    assert alone[0].diverged and together[0].diverged and not together[1].diverged
    for a, t in zip(alone, together, strict=True):
        assert t.costs == a.costs and t.iteration == a.iteration
        assert snapshot_record(t) == snapshot_record(a)
    assert all(math.isfinite(c) for c in together[0].costs)


def test_step_together_checks_its_arguments():
    X, Y = problem(m=20)
    run = GradientDescent(X, Y, TrainSettings(num_iterations=5))
    with pytest.raises(ValueError, match="n_steps must be a whole number ≥ 0; got -1"):
        step_together([run], -1)
    with pytest.raises(ValueError, match="each run must appear once"):
        step_together([run, run], 1)
    assert step_together([], 3) == [] and step_together([run], 0) == [[]] and run.iteration == 0
    assert run.step(-1) == [] and run.iteration == 0  # a run's own step stays lenient, as before


def test_threads_do_not_change_the_numbers(monkeypatch):
    """Two threads, z-score's product in one call on a worker: the bits of one thread."""
    import threading

    from logreg_core import training

    seen = set()

    def recording(K, jobs):
        seen.add(threading.current_thread().name.split("_")[0])
        symmetric_products(K, jobs)

    monkeypatch.setattr(training, "THREADED_MIN_EXAMPLES", 1)  # the synthetic set is small
    monkeypatch.setattr(training, "symmetric_products", recording)
    data = synthetic_dataset()
    prepared = PreparedDataset(data, block={"none": 32, "zscore": 0})

    def make():
        kinds = [("none", 1e-5), ("255", 0.005), ("zscore", 0.005)]
        return [
            start_training(data, TrainSettings(scaling=k, learning_rate=lr, num_iterations=60), prepared.scaled(k))[0]
            for k, lr in kinds
        ]

    one, two = make(), make()
    assert one[0]._plan.block == 32 and one[1]._plan.block == 32 and one[2]._plan.block is None
    while not all(r.done for r in one):
        step_together(one, 7)
    while not all(r.done for r in two):
        step_together(two, 9, threads=2)
    assert seen == {"MainThread", "kernel-products"}  # the worker did its share
    for a, b in zip(one, two, strict=True):
        assert a.costs == b.costs and snapshot_record(a) == snapshot_record(b)
    with pytest.raises(ValueError, match="threads must be a whole number ≥ 1; got 0"):
        step_together(two, 1, threads=0)
    with pytest.raises(ValueError, match="block must name scalings"):
        PreparedDataset(data, block={"minmax": 0})
