"""logreg_core.trajectory: a run that follows a shared trajectory has, bit for bit, the numbers of a run on its own.

The reference is a run with no trajectory (the course's loop checked elsewhere); the
tolerance is zero: followers copy states, they do not approximate them.
"""

import numpy as np
import pytest

from logreg_core.data import synthetic_dataset
from logreg_core.kernel_product import BLOCKED_MIN_EXAMPLES
from logreg_core.pipeline import PreparedDataset, start_training
from logreg_core.settings import TrainSettings
from logreg_core.training import GradientDescent, make_gram, step_together
from logreg_core.trajectory import MIN_EVERY, Trajectory


def _problem(m=60, n=90, m_test=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    Y = (rng.random(m) < 0.5).astype(np.float64)
    X_test = rng.normal(size=(n, m_test))
    Y_test = (rng.random(m_test) < 0.5).astype(np.float64)
    return X, Y, X_test, Y_test


def _runs(settings, k=2, problem=None, every=None, block=None):
    """k runs on one problem sharing one Gram and one trajectory, and a run on its own."""
    X, Y, X_test, Y_test = problem or _problem()
    gram = make_gram(X, X_test, block=block)
    trajectory = Trajectory(gram.K, gram.factor, settings, Y, Y_test, every=every)
    shared = [GradientDescent(X, Y, settings, X_test, Y_test, gram=gram, trajectory=trajectory) for _ in range(k)]
    alone = GradientDescent(X, Y, settings, X_test, Y_test, gram=gram)
    return shared, alone, trajectory


def _same(a, b):
    """Bit for bit: iteration, divergence, costs, snapshots, parameters."""
    assert (a.iteration, a.diverged, a.done) == (b.iteration, b.diverged, b.done)
    assert a.costs == b.costs
    assert len(a.snapshots) == len(b.snapshots)
    for s, t in zip(a.snapshots, b.snapshots, strict=True):
        assert (s.iteration, s.b, s.cost, s.train_accuracy, s.test_accuracy) == (
            t.iteration,
            t.b,
            t.cost,
            t.train_accuracy,
            t.test_accuracy,
        )
        np.testing.assert_array_equal(s.coef, t.coef)
    assert a.b == b.b
    np.testing.assert_array_equal(a.w, b.w)
    now_a, now_b = a.current_snapshot(), b.current_snapshot()
    assert (now_a.cost, now_a.train_accuracy, now_a.test_accuracy) == (
        now_b.cost,
        now_b.train_accuracy,
        now_b.test_accuracy,
    )


def _count_updates(run):
    """Wrap the run's first half of an update to count the updates it computes itself."""
    counted = {"n": 0}
    begin = run._begin_step

    def counting(taken):
        counted["n"] += 1
        return begin(taken)

    run._begin_step = counting
    return counted


def test_a_follower_jumps_to_the_leaders_checkpoints_and_ends_with_its_exact_numbers():
    settings = TrainSettings(learning_rate=0.01, num_iterations=250, snapshot_every=25, method="kernel")
    (leader, follower), alone, trajectory = _runs(settings)
    while not leader.done:
        leader.step(7)
    alone.run()
    _same(leader, alone)
    assert trajectory.iterations == [*range(MIN_EVERY, 250, MIN_EVERY), 250]
    computed = _count_updates(follower)
    while not follower.done:
        follower.step(13)
    _same(follower, alone)
    # 13 updates a call: it jumps to the last checkpoint in reach and computes the rest (≤ 9 each call).
    assert 0 < computed["n"] <= 20 * (MIN_EVERY - 1)
    assert computed["n"] < 250 // 2


@pytest.mark.parametrize("stop_at", [1, 9, 10, 123, 249])
def test_a_follower_stopped_anywhere_is_where_a_run_on_its_own_would_be(stop_at):
    settings = TrainSettings(learning_rate=0.01, num_iterations=250, snapshot_every=25, method="kernel")
    (leader, follower), alone, _ = _runs(settings)
    leader.run()
    follower.step(stop_at)
    alone.step(stop_at)
    _same(follower, alone)
    follower.step(250)  # and it goes on from there exactly
    alone.step(250)
    _same(follower, alone)


def test_a_follower_ahead_of_the_leader_computes_and_records_for_it():
    settings = TrainSettings(learning_rate=0.01, num_iterations=120, snapshot_every=20, method="kernel")
    (leader, follower), alone, trajectory = _runs(settings)
    leader.step(35)  # checkpoints 10, 20, 30
    follower.step(80)  # jumps to 30, computes 31 … 80 and records 40 … 80
    assert trajectory.iterations == [10, 20, 30, 40, 50, 60, 70, 80]
    computed = _count_updates(leader)
    leader.step(200)
    alone.run()
    follower.step(200)
    _same(leader, alone)
    _same(follower, alone)
    assert computed["n"] == 120 - 80  # jumps from 35 to the follower's 80, computes 81 … 120


@pytest.mark.parametrize("lr", [1e299, 3e299])
def test_a_follower_diverges_at_the_same_update_and_ends_at_the_same_last_finite_state(lr):
    # Raw pixels at an absurd rate: s·z overflows within the first updates (the cost is never nan).
    # Checkpoints at every update: the state whose cost overflowed must never be one (a follower
    # jumping there would have to take back an update it never computed).
    data = synthetic_dataset()
    scaled = PreparedDataset(data).scaled("none")
    gram = scaled.gram()
    settings = TrainSettings(learning_rate=lr, num_iterations=50, snapshot_every=10, scaling="none")
    Y, Y_test = data.train_y.reshape(-1), data.test_y.reshape(-1)
    trajectory = Trajectory(gram.K, gram.factor, settings, Y, Y_test, every=1)
    leader, follower = (
        GradientDescent(scaled.X, Y, settings, scaled.X_test, Y_test, gram=gram, trajectory=trajectory) for _ in "ab"
    )
    alone = GradientDescent(scaled.X, Y, settings, scaled.X_test, Y_test, gram=gram)
    leader.run()
    alone.run()
    assert alone.diverged and alone.iteration < 50
    _same(leader, alone)
    assert trajectory.iterations == list(range(1, alone.iteration + 1))  # every finite state, not the last
    follower.step(50)
    _same(follower, alone)


def test_runs_stepped_together_on_a_blocked_kernel_follow_with_the_same_numbers():
    m = BLOCKED_MIN_EXAMPLES + 40
    problem = _problem(m=m, n=30, m_test=10, seed=3)
    settings = TrainSettings(learning_rate=0.02, num_iterations=60, snapshot_every=20, method="kernel")
    (leader, follower), alone, _ = _runs(settings, problem=problem, block=64)
    assert leader._plan.block is not None  # the blocked upper-triangle product
    step_together([leader], 60)
    alone.run()
    _same(leader, alone)
    step_together([follower], 25)
    step_together([follower], 100)
    _same(follower, alone)


def test_a_trajectory_only_serves_runs_on_its_own_inputs():
    settings = TrainSettings(learning_rate=0.01, num_iterations=50, method="kernel")
    X, Y, X_test, Y_test = _problem()
    gram = make_gram(X, X_test)
    trajectory = Trajectory(gram.K, gram.factor, settings, Y, Y_test)
    other_settings = TrainSettings(learning_rate=0.02, num_iterations=50, method="kernel")
    flipped = 1.0 - Y
    for bad in (
        dict(settings=other_settings, Y=Y, gram=gram),
        dict(settings=settings, Y=flipped, gram=gram),
        dict(settings=settings, Y=Y, gram=make_gram(X, X_test)),  # equal numbers, another K array
        dict(settings=settings, Y=Y, gram=gram.scaled(4.0)),
    ):
        with pytest.raises(ValueError, match="the trajectory was recorded on another K, factor, labels or settings"):
            GradientDescent(X, bad["Y"], bad["settings"], X_test, Y_test, gram=bad["gram"], trajectory=trajectory)
    direct = TrainSettings(learning_rate=0.01, num_iterations=50, method="direct")
    with pytest.raises(ValueError, match="needs the kernel form"):
        GradientDescent(X, Y, direct, X_test, Y_test, trajectory=trajectory)
    with pytest.raises(ValueError, match="trajectory must be a Trajectory or None; got dict"):
        GradientDescent(X, Y, settings, X_test, Y_test, gram=gram, trajectory={})


def test_checkpoints_stay_within_their_byte_budget_on_a_large_data_set():
    m = 4000
    settings = TrainSettings(num_iterations=2000)
    K = np.zeros((m, m))
    trajectory = Trajectory(K, 1.0, settings, np.zeros(m))
    assert trajectory.every > MIN_EVERY and trajectory.every % MIN_EVERY == 0  # the Train page steps to multiples of 10
    checkpoints = settings.num_iterations // trajectory.every + 1  # and the end
    assert checkpoints * (2 * m + 1) * 8 <= 4 * 1024 * 1024  # Σdz and b, s·z


def test_runs_started_on_a_prepared_data_set_share_a_trajectory_per_scaling_and_settings():
    data = synthetic_dataset()
    prepared = PreparedDataset(data)
    s255 = TrainSettings(scaling="255", num_iterations=40)
    first, _ = start_training(data, s255, prepared.scaled("255"))
    second, _ = start_training(data, s255, prepared.scaled("255"))
    faster, _ = start_training(
        data, TrainSettings(scaling="255", num_iterations=40, learning_rate=0.01), prepared.scaled("255")
    )
    raw, _ = start_training(data, TrainSettings(scaling="none", num_iterations=40), prepared.scaled("none"))
    own, _ = start_training(data, s255, prepared.scaled("255"), follow=False)
    assert first._trajectory is second._trajectory is not None
    assert faster._trajectory is not first._trajectory and raw._trajectory is not first._trajectory
    assert own._trajectory is None
    first.run()
    second.run()
    own.run()
    _same(second, own)
