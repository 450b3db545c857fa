"""Why standardize: gradient descent on a straight-line fit, on raw and on standardized x.

The experiment: ``y = 3x + 7 + noise`` with x drawn uniformly from [0, 100].
A line ``ŷ = w·x + b`` is fitted by batch gradient descent on the
mean-squared-error cost

    J(w, b) = (1 / 2m) · Σᵢ (w·xᵢ + b − yᵢ)²,

once on x as it is and once on its z-score ``x' = (x − mean(x)) / std(x)``,
from (0, 0) and with the same step size α.

J is a quadratic bowl whose Hessian is ``H = [[mean(x²), mean(x)], [mean(x), 1]]``.
Gradient descent on a quadratic converges only if ``α < 2 / λ_max(H)``, and
then it needs about ``1 / (α · λ_min(H))`` steps. On raw x, λ_max ≈ mean(x²)
is in the thousands while λ_min is below 1: a narrow, elongated valley where
the steep direction caps the step and the flat direction crawls. On
standardized x, H is the identity: round contours, any α < 2 converges, and
α = 1 reaches the minimum in one step.

Both fits describe the same set of lines, so their cost at the start and
their lowest cost are the same number: the curves are directly comparable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .checks import check_finite, check_int, check_positive_finite

__all__ = [
    "DescentResult",
    "StandardizationDemo",
    "make_linear_data",
    "standardize",
    "least_squares",
    "mse_cost",
    "hessian",
    "curvatures",
    "gradient_descent",
    "cost_surface",
    "square_window",
    "compare_standardization",
    "BLOWUP_FACTOR",
]

#: A run is stopped as diverged once its cost exceeds this multiple of its starting cost.
BLOWUP_FACTOR = 1e6

#: Float arrays: everything here works in float64.
FloatArray = NDArray[np.float64]


# ----------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------


def _check_xy(x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Both 1-D, same length ≥ 2, finite, x not constant; returned as float64."""
    x_in = np.asarray(x)
    y_in = np.asarray(y)
    for name, a in (("x", x_in), ("y", y_in)):
        if a.ndim != 1:
            raise ValueError(f"{name} must be 1-D of shape (m,); got shape {a.shape}")
        if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
            raise ValueError(f"{name} must hold real numbers; got dtype {a.dtype}")
    if x_in.shape != y_in.shape:
        raise ValueError(f"x and y must have the same shape; got {x_in.shape} and {y_in.shape}")
    if x_in.size < 2:
        raise ValueError(f"x and y must hold at least 2 points; got {x_in.size}")
    x_ = x_in.astype(np.float64)
    y_ = y_in.astype(np.float64)
    if not (np.all(np.isfinite(x_)) and np.all(np.isfinite(y_))):
        raise ValueError("x and y must be finite; got nan or inf")
    if np.ptp(x_) == 0:
        raise ValueError("x must not be constant (a line through equal x values is not determined); got all equal")
    return x_, y_


# ----------------------------------------------------------------------------
# data and closed forms
# ----------------------------------------------------------------------------


def make_linear_data(
    m: int = 100,
    seed: int = 42,
    slope: float = 3.0,
    intercept: float = 7.0,
    noise_std: float = 10.0,
    x_max: float = 100.0,
) -> tuple[FloatArray, FloatArray]:
    """Noisy points around a straight line.

    Parameters
    ----------
    m : int, default 100
        Number of points, ≥ 2.
    seed : int, default 42
        Seed (≥ 0) of ``numpy.random.default_rng``; the same seed gives the same data.
    slope, intercept : float, default 3.0 and 7.0
        The true line y = slope·x + intercept.
    noise_std : float, default 10.0
        Standard deviation of the Gaussian noise added to y, ≥ 0.
    x_max : float, default 100.0
        x is drawn uniformly from [0, x_max]; > 0.

    Returns
    -------
    x : ndarray of shape (m,), dtype float64
    y : ndarray of shape (m,), dtype float64
    """
    m = check_int("m", m, 2, 1_000_000)
    seed = check_int("seed", seed, 0)
    slope = check_finite("slope", slope)
    intercept = check_finite("intercept", intercept)
    noise_std = check_finite("noise_std", noise_std, minimum=0.0)
    x_max = check_positive_finite("x_max", x_max)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, x_max, size=m)
    y = slope * x + intercept + rng.normal(0.0, noise_std, size=m)
    return x, y


def standardize(x: ArrayLike) -> tuple[FloatArray, float, float]:
    """z-score of x, fitted on x itself.

    Parameters
    ----------
    x : array_like of shape (m,)

    Returns
    -------
    x_std : ndarray of shape (m,)
        (x − mean) / std: mean 0, standard deviation 1.
    mean : float
    std : float
        Population standard deviation (``np.std``), > 0.
    """
    x_in = np.asarray(x)
    if x_in.ndim != 1 or x_in.size < 2:
        raise ValueError(f"x must be 1-D with at least 2 values; got shape {x_in.shape}")
    x_ = x_in.astype(np.float64)
    if not np.all(np.isfinite(x_)):
        raise ValueError("x must be finite; got nan or inf")
    mean, std = float(x_.mean()), float(x_.std())
    if std == 0:
        raise ValueError("x must not be constant to be standardized; got standard deviation 0")
    return (x_ - mean) / std, mean, std


def least_squares(x: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """The (w, b) of lowest cost, in closed form.

    Parameters
    ----------
    x, y : array_like of shape (m,)

    Returns
    -------
    w : float
        cov(x, y) / var(x).
    b : float
        mean(y) − w · mean(x).
    """
    x_, y_ = _check_xy(x, y)
    xc = x_ - x_.mean()
    w = float(xc @ (y_ - y_.mean()) / (xc @ xc))
    return w, float(y_.mean() - w * x_.mean())


def mse_cost(w: float, b: float, x: ArrayLike, y: ArrayLike) -> float:
    """J(w, b) = (1 / 2m) · Σ (w·x + b − y)², from the residuals.

    Parameters
    ----------
    w, b : float
    x, y : array_like of shape (m,)

    Returns
    -------
    cost : float
        inf if the residuals overflow.
    """
    x_, y_ = _check_xy(x, y)
    with np.errstate(over="ignore", invalid="ignore"):
        r = w * x_ + b - y_
        cost = 0.5 * float(np.mean(r * r))
    return cost if np.isfinite(cost) else float("inf")


def hessian(x: ArrayLike) -> FloatArray:
    """Hessian of J with respect to (w, b); it does not depend on y or on (w, b).

    Parameters
    ----------
    x : array_like of shape (m,)

    Returns
    -------
    H : ndarray of shape (2, 2)
        [[mean(x²), mean(x)], [mean(x), 1]].
    """
    x_ = np.asarray(x, dtype=np.float64)
    if x_.ndim != 1 or x_.size < 1:
        raise ValueError(f"x must be 1-D and not empty; got shape {x_.shape}")
    return np.array([[np.mean(x_ * x_), np.mean(x_)], [np.mean(x_), 1.0]])


def curvatures(x: ArrayLike) -> tuple[float, float]:
    """Smallest and largest curvature of the cost bowl (eigenvalues of the Hessian).

    Parameters
    ----------
    x : array_like of shape (m,)

    Returns
    -------
    lam_min, lam_max : float
    """
    lam = np.linalg.eigvalsh(hessian(x))
    return float(lam[0]), float(lam[1])


# ----------------------------------------------------------------------------
# gradient descent
# ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DescentResult:
    """One gradient-descent run on J.

    Attributes
    ----------
    costs : ndarray of shape (k + 1,)
        ``costs[i]`` is the cost after i updates (``costs[0]`` at the start);
        always finite: a run stops before its cost stops being finite.
    path : ndarray of shape (k + 1, 2)
        (w, b) after i updates, starting with the starting point.
    learning_rate : float
    num_iterations : int
        Updates asked for; ``k`` is fewer when the run diverged early.
    diverged : bool
        True when the cost stopped being finite, exploded past
        ``BLOWUP_FACTOR`` × the starting cost (the run then stops there), or
        ended higher than it started.
    reason : str or None
        ``"non-finite"``, ``"exploding"``, ``"increasing"``, or None.
    """

    costs: FloatArray
    path: FloatArray
    learning_rate: float
    num_iterations: int
    diverged: bool
    reason: str | None

    @property
    def iterations_run(self) -> int:
        """Updates actually applied (k)."""
        return len(self.costs) - 1

    @property
    def final(self) -> tuple[float, float]:
        """(w, b) after the last applied update."""
        return float(self.path[-1, 0]), float(self.path[-1, 1])

    @property
    def final_cost(self) -> float:
        """Cost after the last applied update."""
        return float(self.costs[-1])

    def updates_to_reach(self, optimal_cost: float, rtol: float = 1e-9) -> int | None:
        """The first update count at which the cost is within ``rtol`` · J* of the lowest cost J*.

        Parameters
        ----------
        optimal_cost : float
            J*, the least-squares cost.
        rtol : float, default 1e-9

        Returns
        -------
        updates : int or None
            None if the run never got that close (or diverged).
        """
        if self.diverged:
            return None
        close = np.flatnonzero(np.asarray(self.costs) - optimal_cost <= rtol * abs(optimal_cost))
        return int(close[0]) if close.size else None


def gradient_descent(
    x: ArrayLike,
    y: ArrayLike,
    learning_rate: float,
    num_iterations: int,
    w0: float = 0.0,
    b0: float = 0.0,
    blowup: float = BLOWUP_FACTOR,
) -> DescentResult:
    """Batch gradient descent on J(w, b) = (1 / 2m) · Σ (w·x + b − y)².

    Each update is w ← w − α · mean((w·x + b − y)·x), b ← b − α · mean(w·x + b − y).

    Parameters
    ----------
    x, y : array_like of shape (m,)
    learning_rate : float
        Step size α, > 0.
    num_iterations : int
        Number of updates, 0 to 1,000,000.
    w0, b0 : float, default 0.0
        Starting point.
    blowup : float, default BLOWUP_FACTOR
        Stop as diverged once the cost exceeds ``blowup`` × the starting cost; > 1,
        or ``inf`` to stop only when the numbers overflow.

    Returns
    -------
    result : DescentResult
    """
    x_, y_ = _check_xy(x, y)
    alpha = check_positive_finite("learning rate", learning_rate)
    n = check_int("num_iterations", num_iterations, 0, 1_000_000)
    w, b = check_finite("w0", w0), check_finite("b0", b0)
    if isinstance(blowup, bool) or not isinstance(blowup, Real) or not float(blowup) > 1:
        raise ValueError(f"blowup must be a number > 1 (inf: stop only on overflow); got {blowup!r}")
    blowup = float(blowup)

    m = x_.size
    ones = np.ones(m)
    costs = np.empty(n + 1)
    path = np.empty((n + 1, 2))
    reason: str | None = None
    k = 0
    with np.errstate(over="ignore", invalid="ignore"):
        r = w * x_ + b - y_  # residuals, (m,)
        costs[0] = 0.5 * float(r @ r) / m
        path[0] = w, b
        if not np.isfinite(costs[0]):
            raise ValueError("the cost at the starting point is not finite; start closer to the data")
        limit = blowup * max(costs[0], np.finfo(np.float64).tiny)
        for i in range(1, n + 1):
            dw = float(r @ x_) / m  # ∂J/∂w = mean(r·x)
            db = float(r @ ones) / m  # ∂J/∂b = mean(r)
            w_new, b_new = w - alpha * dw, b - alpha * db
            r_new = w_new * x_ + b_new - y_
            cost = 0.5 * float(r_new @ r_new) / m
            if not (math.isfinite(cost) and math.isfinite(w_new) and math.isfinite(b_new)):
                reason = "non-finite"
                break
            w, b, r = w_new, b_new, r_new
            costs[i] = cost
            path[i] = w, b
            k = i
            if cost > limit:
                reason = "exploding"
                break
    costs, path = costs[: k + 1].copy(), path[: k + 1].copy()
    if reason is None and costs[-1] > costs[0]:
        reason = "increasing"
    return DescentResult(costs, path, alpha, n, reason is not None, reason)


# ----------------------------------------------------------------------------
# the cost surface
# ----------------------------------------------------------------------------


def cost_surface(
    x: ArrayLike, y: ArrayLike, w_range: Sequence[float], b_range: Sequence[float], n: int = 121
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """J(w, b) on a regular grid, for a contour plot.

    J is evaluated exactly as J* + ½·dᵀHd with d = (w, b) − (w*, b*), which
    equals the residual form algebraically and stays accurate near the optimum.

    Parameters
    ----------
    x, y : array_like of shape (m,)
    w_range, b_range : (float, float)
        (low, high) of each axis, low < high.
    n : int, default 121
        Grid points per axis, 2 to 1000.

    Returns
    -------
    w_grid : ndarray of shape (n,)
    b_grid : ndarray of shape (n,)
    J : ndarray of shape (n, n)
        ``J[i, j]`` is the cost at (w_grid[j], b_grid[i]) (rows follow b).
    """
    x_, y_ = _check_xy(x, y)
    n = check_int("n", n, 2, 1000)
    grids = []
    for name, rng_ in (("w_range", w_range), ("b_range", b_range)):
        try:
            lo, hi = (float(v) for v in rng_)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a pair (low, high) of numbers; got {rng_!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"{name} must be finite with low < high; got {rng_!r}")
        grids.append(np.linspace(lo, hi, n))
    w_grid, b_grid = grids
    w_opt, b_opt = least_squares(x_, y_)
    j_opt = mse_cost(w_opt, b_opt, x_, y_)
    H = hessian(x_)
    dw = w_grid[None, :] - w_opt
    db = b_grid[:, None] - b_opt
    J = j_opt + 0.5 * (H[0, 0] * dw * dw + 2.0 * H[0, 1] * dw * db + H[1, 1] * db * db)
    return w_grid, b_grid, J


def square_window(points: ArrayLike, margin: float = 0.2) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square (w, b) window holding all the given points, with a margin.

    Square in parameter units, so that a plot with equal axis scales shows
    the true shape of the cost's contours.

    Parameters
    ----------
    points : array_like of shape (k, 2)
        (w, b) points to include, k ≥ 1.
    margin : float, default 0.2
        Added on each side, as a fraction of the side; ≥ 0.

    Returns
    -------
    w_range, b_range : (float, float)
        Both of the same width (at least 1).
    """
    p = np.asarray(points, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 1:
        raise ValueError(f"points must have shape (k, 2) with k ≥ 1; got {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("points must be finite; got nan or inf")
    margin = check_finite("margin", margin, minimum=0.0)
    lo, hi = p.min(axis=0), p.max(axis=0)
    centre = (lo + hi) / 2
    half = max(float(np.max(hi - lo)) / 2, 0.5) * (1 + 2 * margin)
    c_w, c_b = float(centre[0]), float(centre[1])
    return (c_w - half, c_w + half), (c_b - half, c_b + half)


# ----------------------------------------------------------------------------
# the whole experiment
# ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StandardizationDemo:
    """Both runs of the experiment and what is needed to draw them.

    Attributes
    ----------
    x, y : ndarray of shape (m,)
        The data.
    x_std : ndarray of shape (m,)
        z-score of x.
    mean, std : float
        Of x, used for ``x_std``.
    raw, standardized : DescentResult
        Gradient descent on x and on x_std, same α, same iterations, from (0, 0).
    optimum_raw, optimum_std : (float, float)
        Least-squares (w, b) for x and for x_std.
    optimal_cost : float
        The lowest cost, the same for both.
    curvatures_raw, curvatures_std : (float, float)
        (λ_min, λ_max) of each cost bowl.
    """

    x: FloatArray
    y: FloatArray
    x_std: FloatArray
    mean: float
    std: float
    raw: DescentResult
    standardized: DescentResult
    optimum_raw: tuple[float, float]
    optimum_std: tuple[float, float]
    optimal_cost: float
    curvatures_raw: tuple[float, float]
    curvatures_std: tuple[float, float]

    @property
    def max_step_raw(self) -> float:
        """2 / λ_max on raw x."""
        return 2.0 / self.curvatures_raw[1]

    @property
    def max_step_std(self) -> float:
        """2 / λ_max on standardized x (2, since its Hessian is the identity)."""
        return 2.0 / self.curvatures_std[1]

    def in_raw_units(self, w: float, b: float) -> tuple[float, float]:
        """A line fitted on standardized x, as (slope, intercept) on raw x.

        ŷ = w·(x − mean)/std + b = (w/std)·x + (b − w·mean/std).

        Parameters
        ----------
        w, b : float

        Returns
        -------
        slope, intercept : float
        """
        return w / self.std, b - w * self.mean / self.std

    def surface(self, which: str, n: int = 121, margin: float = 0.2) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Contour grid around the start and the optimum of one fit.

        Parameters
        ----------
        which : {"raw", "standardized"}
        n : int, default 121
        margin : float, default 0.2

        Returns
        -------
        w_grid : ndarray of shape (n,)
        b_grid : ndarray of shape (n,)
        J : ndarray of shape (n, n)
        """
        if which == "raw":
            x, start, opt = self.x, self.raw.path[0], np.array(self.optimum_raw)
        elif which == "standardized":
            x, start, opt = self.x_std, self.standardized.path[0], np.array(self.optimum_std)
        else:
            raise ValueError(f"which must be 'raw' or 'standardized'; got {which!r}")
        w_range, b_range = square_window([start, opt], margin)
        return cost_surface(x, self.y, w_range, b_range, n)


def compare_standardization(
    learning_rate: float, num_iterations: int, m: int = 100, seed: int = 42, noise_std: float = 10.0
) -> StandardizationDemo:
    """Run the experiment: same α and iterations on raw x and on standardized x.

    Parameters
    ----------
    learning_rate : float
        Step size α, > 0, used for both runs.
    num_iterations : int
        Updates per run, 0 to 1,000,000.
    m : int, default 100
    seed : int, default 42
    noise_std : float, default 10.0
        See :func:`make_linear_data` (y = 3x + 7 + noise, x in [0, 100]).

    Returns
    -------
    demo : StandardizationDemo
    """
    x, y = make_linear_data(m=m, seed=seed, noise_std=noise_std)
    x_std, mean, std = standardize(x)
    raw = gradient_descent(x, y, learning_rate, num_iterations)
    stdz = gradient_descent(x_std, y, learning_rate, num_iterations)
    opt_raw = least_squares(x, y)
    opt_std = least_squares(x_std, y)
    return StandardizationDemo(
        x=x,
        y=y,
        x_std=x_std,
        mean=mean,
        std=std,
        raw=raw,
        standardized=stdz,
        optimum_raw=opt_raw,
        optimum_std=opt_std,
        optimal_cost=mse_cost(*opt_raw, x, y),
        curvatures_raw=curvatures(x),
        curvatures_std=curvatures(x_std),
    )
