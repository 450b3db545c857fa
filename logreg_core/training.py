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
a stop button, several runs in lockstep); :func:`train` runs to the end.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .model import accuracy, cost_from_z, sigmoid
from .settings import TrainSettings

__all__ = ["Snapshot", "GradientDescent", "train", "choose_method", "validate_xy"]

#: "auto" uses the kernel form only while K = XᵀX (m × m floats) stays small.
KERNEL_MAX_EXAMPLES = 4000


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The parameters after ``iteration`` updates, with the accuracies they give.

    Attributes
    ----------
    iteration : int
    w : ndarray of shape (n_features,)
    b : float
    cost : float
        Training cost at (w, b).
    train_accuracy : float
        Percent.
    test_accuracy : float or None
        Percent; None without a test set.
    """

    iteration: int
    w: np.ndarray
    b: float
    cost: float
    train_accuracy: float
    test_accuracy: float | None


def validate_xy(X, Y, what="training"):
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
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{what} X must be finite; it holds nan or inf")
    Y = np.asarray(Y).reshape(-1) if np.ndim(Y) == 2 and np.shape(Y)[0] == 1 else np.asarray(Y)
    if Y.shape != (X.shape[1],):
        raise ValueError(f"{what} Y must have shape ({X.shape[1]},) to match X {X.shape}; got {Y.shape}")
    if not np.all((Y == 0) | (Y == 1)):
        raise ValueError(f"{what} labels must be 0 or 1; got {sorted(set(np.unique(Y).tolist()))[:5]}")
    return X, Y.astype(np.float64)


def choose_method(method, n_features, m):
    """Resolve "auto" to "kernel" or "direct" for a problem's size."""
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

    Attributes
    ----------
    costs : list of float
        ``costs[i]`` is the cost before the i-th update, so ``costs[0] = ln 2``.
    snapshots : list of Snapshot
        After 0, ``snapshot_every``, 2·``snapshot_every``, … updates and at the end.
    iteration : int
        Updates applied so far.
    diverged : bool
        True when the parameters or the cost stopped being finite; the run
        then ends early and keeps only finite costs.
    """

    def __init__(self, X, Y, settings, X_test=None, Y_test=None):
        if not isinstance(settings, TrainSettings):
            raise ValueError(f"settings must be a TrainSettings; got {type(settings).__name__}")
        self.X, self.Y = validate_xy(X, Y)
        self.X_test = self.Y_test = None
        if (X_test is None) != (Y_test is None):
            raise ValueError("give both X_test and Y_test, or neither")
        if X_test is not None:
            self.X_test, self.Y_test = validate_xy(X_test, Y_test, what="test")
            if self.X_test.shape[0] != self.X.shape[0]:
                raise ValueError(
                    f"test X has {self.X_test.shape[0]} features; training X has {self.X.shape[0]}"
                )
        self.settings = settings
        n, m = self.X.shape
        self.method = choose_method(settings.method, n, m)
        self.b = 0.0
        if self.method == "kernel":
            self._K = self.X.T @ self.X              # (m, m)
            self._alpha = np.zeros(m)                # w = X @ alpha
        else:
            self._w = np.zeros(n)
        self.iteration = 0
        self.costs = []
        self.snapshots = []
        self.diverged = False
        self._z = self._logits()                     # (m,) at the current parameters

    # -- state ---------------------------------------------------------
    @property
    def w(self):
        """Current weights, ndarray of shape (n_features,)."""
        return self.X @ self._alpha if self.method == "kernel" else self._w.copy()

    @property
    def done(self):
        """True once all iterations ran, or the run diverged."""
        return self.diverged or self.iteration >= self.settings.num_iterations

    def _logits(self):
        if self.method == "kernel":
            return self._K @ self._alpha + self.b   # K symmetric: Kα = (αᵀK)ᵀ
        return self._w @ self.X + self.b

    def _snapshot(self, cost):
        w = self.w
        threshold = self.settings.threshold
        train_acc = accuracy((sigmoid(self._z) > threshold).astype(np.float64), self.Y)
        test_acc = None
        if self.X_test is not None:
            test_acc = accuracy((sigmoid(w @ self.X_test + self.b) > threshold).astype(np.float64), self.Y_test)
        snap = Snapshot(self.iteration, w, float(self.b), cost, train_acc, test_acc)
        self.snapshots.append(snap)
        return snap

    # -- stepping ------------------------------------------------------
    def step(self, n_steps=1):
        """Apply up to ``n_steps`` updates.

        Parameters
        ----------
        n_steps : int, default 1

        Returns
        -------
        new_snapshots : list of Snapshot
            Snapshots taken during these steps (often empty).
        """
        taken = []
        lr, m = self.settings.learning_rate, self.X.shape[1]
        every, total = self.settings.snapshot_every, self.settings.num_iterations
        for _ in range(n_steps):
            if self.done:
                break
            cost = cost_from_z(self._z, self.Y)
            if not np.isfinite(cost):
                taken += self._stop_diverged(None)
                break
            self.costs.append(cost)
            if self.iteration % every == 0:
                taken.append(self._snapshot(cost))
            dz = sigmoid(self._z) - self.Y           # (m,) = A − Y
            b = self.b - lr * float(np.mean(dz))
            with np.errstate(over="ignore", invalid="ignore"):   # checked just below
                if self.method == "kernel":
                    params = self._alpha - (lr / m) * dz
                    z = self._K @ params + b
                else:
                    params = self._w - lr * ((self.X @ dz) / m)
                    z = params @ self.X + b
            if not (np.isfinite(b) and np.all(np.isfinite(z))):
                taken += self._stop_diverged(cost)   # keep the last finite state
                break
            if self.method == "kernel":
                self._alpha = params
            else:
                self._w = params
            self.b, self._z = b, z
            self.iteration += 1
            if self.iteration == total:
                taken.append(self._snapshot(cost_from_z(self._z, self.Y)))
        return taken

    def _stop_diverged(self, cost):
        """End the run at the last finite state, with a snapshot of it."""
        self.diverged = True
        if cost is not None and (not self.snapshots or self.snapshots[-1].iteration != self.iteration):
            taken = self._snapshot(cost)
            return [taken]
        return []

    def run(self):
        """Run to the end; returns self."""
        while not self.done:
            self.step(1000)
        return self

    @property
    def final(self):
        """The latest snapshot (None before the first step)."""
        return self.snapshots[-1] if self.snapshots else None


def train(X, Y, settings=None, X_test=None, Y_test=None, callback=None):
    """Train to the end, optionally reporting progress.

    Parameters
    ----------
    X : ndarray of shape (n_features, m)
    Y : ndarray of shape (m,)
    settings : TrainSettings or None, default None (course defaults)
    X_test : ndarray of shape (n_features, m_test) or None, default None
    Y_test : ndarray of shape (m_test,) or None, default None
    callback : callable or None, default None
        Called as ``callback(iteration, cost, snapshot)`` after each cost is
        computed; ``snapshot`` is a :class:`Snapshot` at the chosen interval,
        else None.

    Returns
    -------
    run : GradientDescent
        Finished run: ``run.costs``, ``run.snapshots``, ``run.w``, ``run.b``.
    """
    run = GradientDescent(X, Y, settings or TrainSettings(), X_test, Y_test)
    if callback is None:
        return run.run()
    while not run.done:
        i = run.iteration
        snaps = run.step(1)
        if i < len(run.costs):
            first = snaps[0] if snaps and snaps[0].iteration == i else None
            callback(i, run.costs[i], first)
    return run
