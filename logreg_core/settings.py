"""Training settings: one frozen dataclass, validated when it is made."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .checks import check_choice, check_open_unit, check_positive_finite, check_positive_int

__all__ = ["SCALINGS", "METHODS", "TrainSettings"]

#: Pixel scalings a model can be trained with: raw 0–255, divided by 255, per-feature z-score.
SCALINGS: tuple[str, ...] = ("none", "255", "zscore")
#: More updates than this would keep a shared server busy for minutes.
MAX_ITERATIONS: int = 1_000_000
#: How gradient descent is computed: "auto" picks "kernel" when features outnumber examples.
METHODS: tuple[str, ...] = ("auto", "direct", "kernel")


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_rate", check_positive_finite("learning rate", self.learning_rate))
        iterations = check_positive_int("number of iterations", self.num_iterations, MAX_ITERATIONS)
        object.__setattr__(self, "num_iterations", iterations)
        object.__setattr__(self, "snapshot_every", check_positive_int("snapshot interval", self.snapshot_every))
        check_choice("scaling", self.scaling, SCALINGS)
        check_choice("method", self.method, METHODS)
        object.__setattr__(self, "threshold", check_open_unit("threshold", self.threshold))

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (JSON- and npz-friendly)."""
        return asdict(self)
