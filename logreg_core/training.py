"""Batch gradient descent from w = 0, b = 0, one step at a time.

Two forms give the same iterates:

* ``direct`` — the course's loop: z = wᵀX + b, then w ← w − α·X(A − Y)ᵀ/m.
  Each step reads X twice: O(n·m).
* ``kernel`` — w starts at 0 and every update adds a combination of training
  columns, so w = Xα at every step. With K = XᵀX computed once,
  z = Kα + b and α ← α − α_lr·(A − Y)/m cost O(m²) per step, far less when
  features outnumber examples (12288 pixels, 209 images). w = Xα is formed
  only when somebody asks for it.

:class:`GradientDescent` lets a caller run a few steps at a time (live charts,
a stop button); :func:`step_together` advances several runs in lockstep, and
runs that share one K read it once per step for all of them; :func:`train`
runs to the end.

Runs on one data set and scaling can share their data and kernels: pass a
:class:`Gram` (K and the test kernel, made once, read-only) and the run keeps
only α, b, its costs and snapshots of its own.

From ``BLOCKED_MIN_EXAMPLES`` examples on, K @ v reads only the upper
triangle of K, a block of rows at a time (:mod:`logreg_core.kernel_product`):
the same iterates up to rounding, in about half the memory traffic.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_int, check_positive_int
from .kernel_product import BLOCKED_MIN_EXAMPLES, Job, ProductWork, plan_for, symmetric_products
from .model import accuracy, sigmoid
from .settings import TrainSettings
from .trajectory import Trajectory

__all__ = [
    "GradientDescent",
    "Gram",
    "Snapshot",
    "choose_method",
    "make_gram",
    "step_together",
    "train",
    "validate_xy",
]

_sum = np.add.reduce  # the plain ufunc reduction: a step's many small sums add up

#: "auto" uses the kernel form only while K = XᵀX (m × m floats) stays small.
KERNEL_MAX_EXAMPLES = 4000


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The parameters after ``iteration`` updates, with the accuracies they give.

    In the kernel form a snapshot keeps α (m numbers) and the training
    matrix it was given (not a copy), and forms w = Xα only when ``w`` is read.

    Attributes
    ----------
    iteration : int
    b : float
    cost : float
        Training cost at (w, b).
    train_accuracy : float
        Percent.
    test_accuracy : float or None
        Percent; None without a test set.
    coef : ndarray of shape (n_features,) or (m,)
        w itself, or α when ``basis`` is given.
    basis : ndarray of shape (n_features, m) or None, default None
        The scaled training data X, so that w = X @ coef.
    """

    iteration: int
    b: float
    cost: float
    train_accuracy: float
    test_accuracy: float | None
    coef: np.ndarray
    basis: np.ndarray | None = None

    @property
    def w(self) -> np.ndarray:
        """Weights, ndarray of shape (n_features,)."""
        return self.coef if self.basis is None else self.basis @ self.coef


@dataclass(frozen=True, eq=False)
class Gram:
    """The kernels of a kernel-form run, made once and shared read-only by every run on the same data.

    A run on X uses ``factor · K`` as its K = XᵀX and ``factor · K_test`` as
    X_testᵀX, so data scaled by c (raw pixels and pixels / 255) share one K
    with factor c².

    Attributes
    ----------
    K : ndarray of shape (m, m)
        Symmetric.
    K_test : ndarray of shape (m_test, m) or None
    factor : float, default 1.0
    block : int or None, default None
        Rows of K per block in K @ v (see :func:`logreg_core.kernel_product.plan_for`):
        None picks by size, 0 always uses the single call ``K @ v``.
    """

    K: np.ndarray
    K_test: np.ndarray | None
    factor: float = 1.0
    block: int | None = None

    def scaled(self, factor: float) -> Gram:
        """The same matrices with the factor multiplied by ``factor``."""
        return replace(self, factor=self.factor * factor)


def make_gram(X: np.ndarray, X_test: np.ndarray | None = None, block: int | None = None) -> Gram:
    """K = XᵀX and X_testᵀX, read-only.

    Parameters
    ----------
    X : ndarray of shape (n_features, m)
    X_test : ndarray of shape (n_features, m_test) or None, default None
    block : int or None, default None
        See :attr:`Gram.block`.

    Returns
    -------
    gram : Gram
        With factor 1.
    """
    K = X.T @ X  # (m, m), symmetric: NumPy sees the transpose and calls syrk (half the work of a gemm)
    K.flags.writeable = False
    K_test = None
    if X_test is not None:
        K_test = X_test.T @ X  # (m_test, m)
        K_test.flags.writeable = False
    return Gram(K, K_test, block=block)


def _all_finite(X: np.ndarray, block: int = 256) -> bool:
    """True if every value of X is finite, checked a block of columns at a time (no whole mask)."""
    return all(bool(np.isfinite(X[:, j : j + block]).all()) for j in range(0, X.shape[1], block))


def validate_xy(X: ArrayLike, Y: ArrayLike, what: str = "training") -> tuple[np.ndarray, np.ndarray]:
    """Check and convert a data matrix and its labels.

    Parameters
    ----------
    X : array_like of shape (n_features, m)
    Y : array_like of shape (m,) or (1, m)
    what : str, default "training"
        Used in error messages.

    Returns
    -------
    X : ndarray of shape (n_features, m), dtype float64
    Y : ndarray of shape (m,), dtype float64
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{what} X must have shape (n_features, m) with both ≥ 1; got {X.shape}")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"{what} X must hold real numbers; got dtype {X.dtype}")
    X = X.astype(np.float64, copy=False)
    if not _all_finite(X):
        raise ValueError(f"{what} X must be finite; it holds nan or inf")
    Y = np.asarray(Y).reshape(-1) if np.ndim(Y) == 2 and np.shape(Y)[0] == 1 else np.asarray(Y)
    if Y.shape != (X.shape[1],):
        raise ValueError(f"{what} Y must have shape ({X.shape[1]},) to match X {X.shape}; got {Y.shape}")
    if not np.all((Y == 0) | (Y == 1)):
        raise ValueError(f"{what} labels must be 0 or 1; got {sorted(set(np.unique(Y).tolist()))[:5]}")
    return X, Y.astype(np.float64)


def choose_method(method: str, n_features: int, m: int) -> str:
    """Resolve "auto" to "kernel" or "direct" for a problem's size.

    "kernel" when features outnumber examples and K = XᵀX stays small
    (m ≤ ``KERNEL_MAX_EXAMPLES``); "direct" otherwise. Other methods are
    returned as given.
    """
    if method != "auto":
        return method
    return "kernel" if n_features > m and m <= KERNEL_MAX_EXAMPLES else "direct"


class GradientDescent:
    """A gradient-descent run that advances on request.

    Parameters
    ----------
    X : ndarray of shape (n_features, m)
        Scaled training data.
    Y : ndarray of shape (m,)
        Training labels, 0 or 1.
    settings : TrainSettings
    X_test : ndarray of shape (n_features, m_test) or None, default None
    Y_test : ndarray of shape (m_test,) or None, default None
    gram : Gram or None, default None
        K = XᵀX (and X_testᵀX) made elsewhere and shared, used by the kernel
        form; None makes them here. Ignored by the direct form.
    trajectory : Trajectory or None, default None
        Checkpoints shared with the runs on the same K, labels and settings
        (kernel form only): the run records its state there and jumps to what
        another run recorded, with the same numbers as computing them
        (:mod:`logreg_core.trajectory`).

    Attributes
    ----------
    costs : list of float
        ``costs[i]`` is the cost before the i-th update, so ``costs[0] = ln 2``.
    snapshots : list of Snapshot
        After 0, ``snapshot_every``, 2·``snapshot_every``, … updates and at the end.
    iteration : int
        Updates applied so far.
    diverged : bool
        True when an update would have made the parameters or the cost
        non-finite; the run then ends at its last finite state.

    Notes
    -----
    Each step uses one identity for both the cost and the gradient. With
    s = 1 − 2y, the loss is ℓ = log(1 + e^(s·z)) and
    dz = a − y = −s·expm1(−ℓ), both accurate for any z (no σ(z) rounded to
    0 or 1, no log(0), no cancellation). The A(1 − A) factor of da/dz cancels
    against ∂ℓ/∂a = (a − y) / (a(1 − a)); nothing is dropped.
    """

    def __init__(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        settings: TrainSettings,
        X_test: ArrayLike | None = None,
        Y_test: ArrayLike | None = None,
        gram: Gram | None = None,
        trajectory: Trajectory | None = None,
    ) -> None:
        if not isinstance(settings, TrainSettings):
            raise ValueError(f"settings must be a TrainSettings; got {type(settings).__name__}")
        self.X, self.Y = validate_xy(X, Y)
        self.X_test: np.ndarray | None = None
        self.Y_test: np.ndarray | None = None
        if (X_test is None) != (Y_test is None):
            raise ValueError("give both X_test and Y_test, or neither")
        if X_test is not None and Y_test is not None:
            self.X_test, self.Y_test = validate_xy(X_test, Y_test, what="test")
            if self.X_test.shape[0] != self.X.shape[0]:
                raise ValueError(f"test X has {self.X_test.shape[0]} features; training X has {self.X.shape[0]}")
        self.settings = settings
        n, m = self.X.shape
        self.method = choose_method(settings.method, n, m)
        self._step_size = -settings.learning_rate / m
        self._s = 1.0 - 2.0 * self.Y  # s = 1 − 2y, (m,)
        self._neg_s = -self._s
        self._w: np.ndarray | None = None
        self._w_next: np.ndarray | None = None
        self._b = 0.0
        if self.method == "kernel":
            # State: acc = [Σ dz over the updates so far, b], shape (m + 1,), so that α = step·acc[:m]
            # and s·z = s·(step·factor·(K @ acc[:m]) + b). K is shared and never written.
            self._gram = gram if gram is not None else make_gram(self.X, self.X_test)
            self._check_gram(self._gram, m)
            self._K = self._gram.K
            self._plan = plan_for(m, self._gram.block)
            self._work = ProductWork(self._plan)
            self._kernel_step = self._step_size * self._gram.factor
            self._acc = np.zeros(m + 1)
            self._acc_dz = self._acc[:m]  # a view
        else:
            self._w, self._w_next = np.zeros(n), np.empty(n)
        self._q = np.zeros(m)  # s·z at the current parameters
        self._q_next = np.empty(m)  # … and at the next ones (swapped in)
        self._loss = np.empty(m)
        self._dz = np.empty(m)
        self._last_db = 0.0
        self._trajectory = self._check_trajectory(trajectory)
        self.iteration = 0
        self.costs: list[float] = []
        self.snapshots: list[Snapshot] = []
        self.diverged = False

    def _check_trajectory(self, trajectory: Trajectory | None) -> Trajectory | None:
        """Check a shared trajectory was recorded on exactly this run's inputs; raise ValueError otherwise."""
        if trajectory is None:
            return None
        if not isinstance(trajectory, Trajectory):
            raise ValueError(f"trajectory must be a Trajectory or None; got {type(trajectory).__name__}")
        if self.method != "kernel":
            raise ValueError(f"a shared trajectory needs the kernel form; this run uses the {self.method} form")
        if not trajectory.matches(self._K, self._gram.factor, self.settings, self.Y, self.Y_test):
            raise ValueError("the trajectory was recorded on another K, factor, labels or settings than this run's")
        return trajectory

    def _check_gram(self, g: Gram, m: int) -> None:
        """Check a given Gram matches the data; raise ValueError otherwise."""
        if g.K.shape != (m, m):
            raise ValueError(f"K must have shape ({m}, {m}) for {m} training examples; got {g.K.shape}")
        if self.X_test is not None:
            expected = (self.X_test.shape[1], m)
            if g.K_test is None or g.K_test.shape != expected:
                got = None if g.K_test is None else g.K_test.shape
                raise ValueError(f"the test kernel must have shape {expected}; got {got}")
        if not (isinstance(g.factor, (int, float)) and math.isfinite(g.factor) and g.factor > 0):
            raise ValueError(f"the kernel factor must be a finite number > 0; got {g.factor!r}")

    # -- state ---------------------------------------------------------
    @property
    def b(self) -> float:
        """Current bias, float."""
        return float(self._acc[-1]) if self.method == "kernel" else self._b

    @property
    def _coef(self) -> np.ndarray:
        """α (kernel form, w = X @ α) or w (direct form), a fresh array."""
        if self.method == "kernel":
            alpha: np.ndarray = self._step_size * self._acc_dz
            return alpha
        assert self._w is not None
        return self._w.copy()

    @property
    def w(self) -> np.ndarray:
        """Current weights, ndarray of shape (n_features,)."""
        return self.X @ self._coef if self.method == "kernel" else self._coef

    @property
    def done(self) -> bool:
        """True once all iterations ran, or the run diverged."""
        return self.diverged or self.iteration >= self.settings.num_iterations

    @property
    def final(self) -> Snapshot | None:
        """The latest snapshot (None before the first step)."""
        return self.snapshots[-1] if self.snapshots else None

    def _cost(self) -> float:
        """Cost at the current logits; leaves ℓ = log(1 + e^(s·z)) in ``self._loss``."""
        np.logaddexp(0.0, self._q, out=self._loss)
        return float(_sum(self._loss)) / self._loss.size

    def _gradient(self) -> np.ndarray:
        """dz = a − y = −s·expm1(−ℓ) into ``self._dz`` (after :meth:`_cost`)."""
        dz = self._dz
        np.negative(self._loss, out=dz)
        np.expm1(dz, out=dz)
        dz *= self._neg_s
        return dz

    def current_snapshot(self) -> Snapshot:
        """A snapshot of the current parameters, not added to ``snapshots`` (e.g. where a run was stopped).

        Returns
        -------
        snapshot : Snapshot
        """
        return self._make_snapshot(self._cost())

    def _snapshot(self, cost: float) -> Snapshot:
        snap = self._make_snapshot(cost)
        self.snapshots.append(snap)
        return snap

    def _make_snapshot(self, cost: float) -> Snapshot:
        threshold, b, coef = self.settings.threshold, self.b, self._coef
        train_acc = accuracy((sigmoid(self._q * self._s) > threshold).astype(np.float64), self.Y)
        test_acc = None
        if self.X_test is not None and self.Y_test is not None:
            if self.method == "kernel":
                assert self._gram.K_test is not None  # checked in __init__
                z_test = self._gram.factor * (self._gram.K_test @ coef) + b
            else:
                z_test = coef @ self.X_test + b
            test_acc = accuracy((sigmoid(z_test) > threshold).astype(np.float64), self.Y_test)
        basis = self.X if self.method == "kernel" else None
        return Snapshot(self.iteration, b, cost, train_acc, test_acc, coef, basis)

    # -- stepping ------------------------------------------------------
    def step(self, n_steps: int = 1) -> list[Snapshot]:
        """Apply up to ``n_steps`` updates.

        Parameters
        ----------
        n_steps : int, default 1

        Returns
        -------
        new_snapshots : list of Snapshot
            Snapshots taken during these steps (often empty).
        """
        if self.method == "kernel" and self._plan.block is not None:
            return step_together([self], max(n_steps, 0))[0]  # as before: nothing to do for n_steps ≤ 0
        # One run with a single-call product (or the direct form): the same halves, without the grouping
        # step_together needs; this loop is what a busy class server spends its training time in.
        taken, followed = self._follow(n_steps)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(self._steps_left(n_steps - followed)):
                if self._begin_step(taken):
                    np.dot(self._K, self._acc_dz, out=self._q_next)  # what symmetric_products does for this plan
                    self._finish_kernel_step(taken)
                if self.diverged:
                    break
        return taken

    def _follow(self, n_steps: int) -> tuple[list[Snapshot], int]:
        """Jump along the shared trajectory as far as it goes within the next ``n_steps`` updates.

        Returns the snapshots the jump passed and the updates it skipped (0 without a trajectory
        or a checkpoint in reach); the run is then in exactly the state stepping would have left.
        """
        if self._trajectory is None:
            return [], 0
        start = self.iteration
        found = self._trajectory.ahead(start, start + self._steps_left(n_steps), len(self.costs), len(self.snapshots))
        if found is None:
            return [], 0
        cp, costs, passed = found
        self._acc[:] = cp.acc
        self._q[:] = cp.q
        self.iteration = cp.iteration
        self.costs.extend(costs)
        self.snapshots.extend(passed)
        return passed, cp.iteration - start

    def _steps_left(self, n_steps: int) -> int:
        return 0 if self.diverged else max(0, min(n_steps, self.settings.num_iterations - self.iteration))

    def _begin_step(self, taken: list[Snapshot]) -> bool:
        """First half of an update: cost, snapshot, gradient, α and b; the direct form does it all.

        Returns True when a kernel-form run now needs K @ acc in ``_q_next``;
        False when the step is over (direct form) or the run stopped.
        """
        cost = self._cost()
        if not math.isfinite(cost):
            taken += self._stop_diverged()
            return False
        self.costs.append(cost)
        if self.iteration % self.settings.snapshot_every == 0:
            taken.append(self._snapshot(cost))
        dz = self._gradient()
        if self.method != "kernel":
            if self._update_direct(dz):
                self._end_step(taken)
            else:
                taken += self._stop_diverged()
            return False
        self._last_db = self._step_size * float(_sum(dz))
        self._acc_dz += dz
        self._acc[-1] += self._last_db
        return True

    def _finish_kernel_step(self, taken: list[Snapshot]) -> None:
        """Second half of a kernel-form update, with K @ Σdz in ``_q_next``: s·z = s·(step·factor·K @ Σdz + b)."""
        q = self._q_next
        q *= self._kernel_step
        q += self._acc[-1]
        q *= self._s
        self._q, self._q_next = q, self._q
        if math.isfinite(self._acc[-1]):
            self._end_step(taken)
        else:
            taken += self._stop_diverged()

    def _end_step(self, taken: list[Snapshot]) -> None:
        self.iteration += 1
        if self.iteration == self.settings.num_iterations:
            taken.append(self._snapshot(self._cost()))
        # A checkpoint is kept only where the cost came out finite: a run that jumps there must never have
        # to take back the update that led there (it would need that update's gradient). At the end the
        # final snapshot has just computed it; elsewhere it costs one more cost every 10 updates.
        trajectory = self._trajectory
        if trajectory is not None and trajectory.wants(self.iteration):
            last = self.iteration == self.settings.num_iterations
            if last or math.isfinite(self._cost()):
                trajectory.record(self.iteration, self._acc, self._q, self.costs, self.snapshots)

    def _update_direct(self, dz: np.ndarray) -> bool:
        """The course's update, w ← w − lr·X·dz/m and b ← b − lr·mean(dz), kept only if finite."""
        assert self._w is not None and self._w_next is not None
        w, q = self._w_next, self._q_next
        b = self._b + self._step_size * float(_sum(dz))
        np.dot(self.X, dz, out=w)
        w *= self._step_size
        w += self._w
        np.dot(w, self.X, out=q)
        q += b
        q *= self._s
        if not (math.isfinite(b) and math.isfinite(float(_sum(q)))):
            return False
        self._w, self._w_next, self._b = w, self._w, b
        self._q, self._q_next = q, self._q
        return True

    def _stop_diverged(self) -> list[Snapshot]:
        """End the run at its last state with a finite cost, with a snapshot of it.

        The direct form never commits a non-finite update. In the kernel form
        the parameters stay finite (|dz| ≤ 1) but s·z = sK @ acc may overflow;
        that shows as a non-finite cost, and the last update is taken back.
        """
        self.diverged = True
        if self.method == "kernel" and self.iteration > 0 and len(self.costs) == self.iteration:
            self._acc_dz -= self._dz  # dz still holds the last update's gradient
            self._acc[-1] -= self._last_db
            self._q, self._q_next = self._q_next, self._q
            self.iteration -= 1
        if self.costs and (not self.snapshots or self.snapshots[-1].iteration != self.iteration):
            return [self._snapshot(self.costs[self.iteration] if self.iteration < len(self.costs) else self.costs[-1])]
        return []

    def run(self) -> GradientDescent:
        """Run to the end; returns self."""
        while not self.done:
            self.step(1000)
        return self


def step_together(runs: Sequence[GradientDescent], n_steps: int = 1, threads: int = 1) -> list[list[Snapshot]]:
    """Advance several runs by up to ``n_steps`` updates each, in lockstep.

    Kernel-form runs whose :class:`Gram` holds the same K (the same array, as
    :class:`logreg_core.pipeline.PreparedDataset` hands out for raw pixels and
    pixels / 255, or for one scaling at several rates) compute their products
    together, reading K once per step for all of them. Each run gets exactly the
    numbers ``run.step(n_steps)`` would give it (costs, snapshots, divergence):
    the same operations on its own arrays, in the same order.

    Parameters
    ----------
    runs : sequence of GradientDescent
        Distinct runs; finished or diverged ones are left as they are.
    n_steps : int, default 1
    threads : int, default 1
        Threads computing the products of different K at once (this one
        included; BLAS releases the GIL). The numbers do not depend on it. Give
        more than 1 only when that many cores are free, with BLAS on one thread.

    Returns
    -------
    new_snapshots : list of list of Snapshot
        For each run, in order, the snapshots taken during these steps.
    """
    n_steps = check_int("n_steps", n_steps, 0)
    if len({id(r) for r in runs}) != len(runs):
        raise ValueError("each run must appear once in step_together")
    threads = check_positive_int("threads", threads)
    taken: list[list[Snapshot]] = [[] for _ in runs]
    left = []
    for i, r in enumerate(runs):
        taken[i], followed = r._follow(n_steps)  # runs on a shared trajectory jump ahead first
        left.append(r._steps_left(n_steps - followed))
    # Overflow can only come from a divergent step, and each one is caught.
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(max(left, default=0)):
            products: dict[tuple[int, object], list[int]] = {}
            for i, r in enumerate(runs):
                if t < left[i] and not r.diverged and r._begin_step(taken[i]):
                    products.setdefault((id(r._K), r._plan), []).append(i)
            groups = [
                (runs[m[0]]._K, [(runs[i]._acc_dz, runs[i]._q_next, runs[i]._work) for i in m])
                for m in products.values()
            ]
            _products(groups, threads)
            for members in products.values():
                for i in members:
                    runs[i]._finish_kernel_step(taken[i])
    return taken


_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
#: Most threads a process lends to :func:`step_together` (shared by every caller).
MAX_PRODUCT_WORKERS = 4
#: Smaller kernels take less time than handing a product to another thread.
THREADED_MIN_EXAMPLES = BLOCKED_MIN_EXAMPLES


def _products(groups: list[tuple[np.ndarray, list[Job]]], threads: int) -> None:
    """The products of each (K, jobs), the first group here and the others on up to ``threads − 1`` workers."""
    global _pool
    if threads < 2 or len(groups) < 2 or groups[0][0].shape[0] < THREADED_MIN_EXAMPLES:
        for K, jobs in groups:
            symmetric_products(K, jobs)
        return
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(MAX_PRODUCT_WORKERS, thread_name_prefix="kernel-products")
        pool = _pool
    # Largest groups first; a worker takes every (threads − 1)-th of the rest, this thread the first.
    order = sorted(groups, key=lambda g: -len(g[1]))
    helpers = order[1:]

    def work(share: list[tuple[np.ndarray, list[Job]]]) -> None:
        with np.errstate(over="ignore", invalid="ignore"):
            for K, jobs in share:
                symmetric_products(K, jobs)

    n = min(threads - 1, len(helpers))
    futures = [pool.submit(work, helpers[k::n]) for k in range(n)]
    work(order[:1])
    for f in futures:
        f.result()


def train(
    X: ArrayLike,
    Y: ArrayLike,
    settings: TrainSettings | None = None,
    X_test: ArrayLike | None = None,
    Y_test: ArrayLike | None = None,
) -> GradientDescent:
    """Train to the end.

    Parameters
    ----------
    X : ndarray of shape (n_features, m)
    Y : ndarray of shape (m,)
    settings : TrainSettings or None, default None (course defaults)
    X_test : ndarray of shape (n_features, m_test) or None, default None
    Y_test : ndarray of shape (m_test,) or None, default None

    Returns
    -------
    run : GradientDescent
        Finished run: ``run.costs``, ``run.snapshots``, ``run.w``, ``run.b``.
    """
    return GradientDescent(X, Y, settings or TrainSettings(), X_test, Y_test).run()
