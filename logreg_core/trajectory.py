"""A run computed once and followed by every run with the same inputs.

Gradient descent from w = 0, b = 0 is deterministic: runs on the same K, labels and
settings take the same updates to the last bit. A class that presses Train with the
same settings would compute the same numbers thirty times. A :class:`Trajectory`
keeps checkpoints of whichever run gets somewhere first: its whole state every
``every`` updates and at the end, with the costs and snapshots so far. A later run on
the same inputs jumps to the last checkpoint within the updates it was asked for and
computes only the few updates past it, so it stops, diverges and ends exactly where
it would have on its own (tests/test_trajectory.py checks this bit for bit).

A checkpoint keeps what the next update reads: Σdz and b, and s·z. It is kept only
once the cost there has come out finite, so a run that jumps to it never has to take
back the update that led there (which would need the last gradient too).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .checks import check_positive_int
from .settings import TrainSettings

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .training import Snapshot

__all__ = ["Checkpoint", "Trajectory"]

#: Checkpoint every this many updates at least (a follower computes fewer than this past one).
MIN_EVERY = 10
#: Bytes of checkpoints one trajectory keeps at most; bigger data sets get sparser checkpoints.
MAX_BYTES = 4 * 1024 * 1024
#: Bytes per checkpoint and training example: Σdz and b, and s·z.
_BYTES_PER_EXAMPLE = 2 * 8


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """A kernel-form run's whole state after ``iteration`` updates (read-only arrays).

    Attributes
    ----------
    iteration : int
    acc : ndarray of shape (m + 1,)
        Σdz over the updates so far, then b.
    q : ndarray of shape (m,)
        s·z at these parameters (their cost is finite).
    n_costs, n_snapshots : int
        How many costs and snapshots the run had here.
    """

    iteration: int
    acc: np.ndarray
    q: np.ndarray
    n_costs: int
    n_snapshots: int


def _frozen(a: np.ndarray) -> np.ndarray:
    out = np.array(a, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


class Trajectory:
    """Checkpoints of one deterministic run, shared (thread-safe) by the runs with the same inputs.

    Parameters
    ----------
    K : ndarray of shape (m, m)
        The shared kernel the runs use (the same array, not a copy).
    factor : float
        The runs' kernel factor (see :class:`logreg_core.training.Gram`).
    settings : TrainSettings
    Y : ndarray of shape (m,)
        Training labels.
    Y_test : ndarray of shape (m_test,) or None, default None
    every : int or None, default None
        Updates between checkpoints; None picks ≥ :data:`MIN_EVERY` so that the
        checkpoints take at most :data:`MAX_BYTES`.
    """

    def __init__(
        self,
        K: np.ndarray,
        factor: float,
        settings: TrainSettings,
        Y: np.ndarray,
        Y_test: np.ndarray | None = None,
        every: int | None = None,
    ) -> None:
        if not isinstance(settings, TrainSettings):
            raise ValueError(f"settings must be a TrainSettings; got {type(settings).__name__}")
        K = np.asarray(K)
        if K.ndim != 2 or K.shape[0] != K.shape[1]:
            raise ValueError(f"K must be a square matrix; got shape {K.shape}")
        m = K.shape[0]
        if every is None:
            # A multiple of MIN_EVERY: the Train page steps to multiples of it.
            chunks = settings.num_iterations * _BYTES_PER_EXAMPLE * m / MAX_BYTES / MIN_EVERY
            every = MIN_EVERY * max(1, math.ceil(chunks))
        self.every = check_positive_int("checkpoint interval", every)
        self.K, self.factor, self.settings = K, float(factor), settings
        self.Y = _frozen(Y)
        self.Y_test = None if Y_test is None else _frozen(Y_test)
        self._lock = threading.Lock()
        self._checkpoints: dict[int, Checkpoint] = {}
        self._costs: list[float] = []
        self._snapshots: list[Snapshot] = []

    def matches(
        self, K: np.ndarray, factor: float, settings: TrainSettings, Y: np.ndarray, Y_test: np.ndarray | None
    ) -> bool:
        """True if a run on these inputs takes exactly the updates recorded here."""
        same_test = (
            self.Y_test is None if Y_test is None else self.Y_test is not None and np.array_equal(self.Y_test, Y_test)
        )
        return (
            K is self.K
            and float(factor) == self.factor
            and settings == self.settings
            and np.array_equal(self.Y, Y)
            and same_test
        )

    @property
    def iterations(self) -> list[int]:
        """The iterations that have a checkpoint, in order."""
        with self._lock:
            return sorted(self._checkpoints)

    def wants(self, iteration: int) -> bool:
        """True if a run that just reached ``iteration`` should :meth:`record` it (cheap, no lock)."""
        return (
            iteration % self.every == 0 or iteration == self.settings.num_iterations
        ) and iteration not in self._checkpoints

    def record(
        self,
        iteration: int,
        acc: np.ndarray,
        q: np.ndarray,
        costs: Sequence[float],
        snapshots: Sequence[Snapshot],
    ) -> None:
        """Keep a run's state after ``iteration`` updates, whose cost is finite (its costs and snapshots up to here)."""
        with self._lock:
            if iteration in self._checkpoints:
                return
            if len(costs) > len(self._costs):
                self._costs.extend(costs[len(self._costs) :])
            if len(snapshots) > len(self._snapshots):
                self._snapshots.extend(snapshots[len(self._snapshots) :])
            self._checkpoints[iteration] = Checkpoint(iteration, _frozen(acc), _frozen(q), len(costs), len(snapshots))

    def ahead(
        self, start: int, stop: int, have_costs: int = 0, have_snapshots: int = 0
    ) -> tuple[Checkpoint, list[float], list[Snapshot]] | None:
        """The last checkpoint after ``start`` and at most ``stop`` updates, with the costs and snapshots before it.

        Parameters
        ----------
        start, stop : int
            The follower has made ``start`` updates and may jump to at most ``stop``.
        have_costs, have_snapshots : int, default 0
            How many costs and snapshots the follower has already: only the rest is returned
            (a follower asks at every step; copying whole lists each time cost a busy server ~3 %).

        Returns
        -------
        found : (Checkpoint, costs, snapshots) or None
            ``costs`` and ``snapshots`` are the lists' items from ``have_costs`` and
            ``have_snapshots`` up to the checkpoint; None when there is no such checkpoint.
        """
        last = self.settings.num_iterations
        candidates = [last] if start < last <= stop else []
        candidates += range(stop - stop % self.every, start, -self.every)
        with self._lock:
            for i in candidates:
                cp = self._checkpoints.get(i)
                if cp is not None:
                    return cp, self._costs[have_costs : cp.n_costs], self._snapshots[have_snapshots : cp.n_snapshots]
        return None
