"""Training settings: one frozen dataclass, validated when it is made."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["SCALINGS", "METHODS", "TrainSettings"]

#: Pixel scalings a model can be trained with: raw 0–255, divided by 255, per-feature z-score.
SCALINGS = ("none", "255", "zscore")
#: More updates than this would keep a shared server busy for minutes.
MAX_ITERATIONS = 1_000_000
#: How gradient descent is computed: "auto" picks "kernel" when features outnumber examples.
METHODS = ("auto", "direct", "kernel")


@dataclass(frozen=True)
class TrainSettings:
    """Everything that decides a training run.

    Parameters
    ----------
    learning_rate : float, default 0.005
        Step size α of gradient descent; finite and > 0.
    num_iterations : int, default 2000
        Number of gradient-descent updates; ≥ 1.
    scaling : {"none", "255", "zscore"}, default "255"
        How pixels are scaled before training (see :mod:`logreg_core.preprocess`).
    snapshot_every : int, default 100
        Every this many iterations (and at the last one) the run reports w, b
        and the train/test accuracy; ≥ 1.
    method : {"auto", "direct", "kernel"}, default "auto"
        "direct" is the course's loop; "kernel" keeps w = Xα and gives the same
        iterates in O(m²) per step; "auto" uses "kernel" when n_features > m.
    threshold : float, default 0.5
        Probability above which an example is labelled 1; in (0, 1).
    """

    learning_rate: float = 0.005
    num_iterations: int = 2000
    scaling: str = "255"
    snapshot_every: int = 100
    method: str = "auto"
    threshold: float = 0.5

    def __post_init__(self):
        lr = self.learning_rate
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"learning rate must be a finite number > 0; got {lr!r}")
        for name, label in (("num_iterations", "number of iterations"), ("snapshot_every", "snapshot interval")):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{label} must be a whole number ≥ 1; got {value!r}")
        if self.num_iterations > MAX_ITERATIONS:
            raise ValueError(f"number of iterations must be at most {MAX_ITERATIONS:,}; got {self.num_iterations:,}")
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}; got {self.scaling!r}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}; got {self.method!r}")
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t < 1:
            raise ValueError(f"threshold must be a number strictly between 0 and 1; got {t!r}")
        object.__setattr__(self, "learning_rate", float(lr))
        object.__setattr__(self, "threshold", float(t))

    def to_dict(self):
        """The settings as a plain dict (JSON- and npz-friendly)."""
        return asdict(self)
