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
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

__all__ = [
    "DescentResult", "StandardizationDemo",
    "make_linear_data", "standardize", "least_squares", "mse_cost", "hessian",
    "curvatures", "max_stable_step", "gradient_descent", "cost_surface",
    "square_window", "compare_standardization",
    "BLOWUP_FACTOR",
]

#: A run is stopped as diverged once its cost exceeds this multiple of its starting cost.
BLOWUP_FACTOR = 1e6


# ----------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------

def _check_int(name, value, minimum, maximum=None):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}; got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}; got {value!r}")
    return int(value)


def _check_real(name, value, positive=False):
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


def _check_xy(x, y):
    """Both 1-D, same length ≥ 2, finite, x not constant; returned as float64."""
    x = np.asarray(x)
    y = np.asarray(y)
    for name, a in (("x", x), ("y", y)):
        if a.ndim != 1:
            raise ValueError(f"{name} must be 1-D of shape (m,); got shape {a.shape}")
        if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
            raise ValueError(f"{name} must hold real numbers; got dtype {a.dtype}")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape; got {x.shape} and {y.shape}")
    if x.size < 2:
        raise ValueError(f"need at least 2 points; got {x.size}")
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite; they hold nan or inf")
    if np.ptp(x) == 0:
        raise ValueError("x must not be constant: a line through equal x values is not determined")
    return x, y


# ----------------------------------------------------------------------------
# data and closed forms
# ----------------------------------------------------------------------------

def make_linear_data(m=100, seed=42, slope=3.0, intercept=7.0, noise_std=10.0, x_max=100.0):
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
    m = _check_int("m", m, 2, 1_000_000)
    seed = _check_int("seed", seed, 0)
    slope = _check_real("slope", slope)
    intercept = _check_real("intercept", intercept)
    noise_std = _check_real("noise_std", noise_std)
    if noise_std < 0:
        raise ValueError(f"noise_std must be ≥ 0; got {noise_std!r}")
    x_max = _check_real("x_max", x_max, positive=True)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, x_max, size=m)
    y = slope * x + intercept + rng.normal(0.0, noise_std, size=m)
    return x, y


def standardize(x):
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
    x = np.asarray(x)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be 1-D with at least 2 values; got shape {x.shape}")
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite; it holds nan or inf")
    mean, std = float(x.mean()), float(x.std())
    if std == 0:
        raise ValueError("x is constant (standard deviation 0); it cannot be standardized")
    return (x - mean) / std, mean, std


def least_squares(x, y):
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
    x, y = _check_xy(x, y)
    xc = x - x.mean()
    w = float(xc @ (y - y.mean()) / (xc @ xc))
    return w, float(y.mean() - w * x.mean())


def mse_cost(w, b, x, y):
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
    x, y = _check_xy(x, y)
    with np.errstate(over="ignore", invalid="ignore"):
        r = w * x + b - y
        cost = 0.5 * float(np.mean(r * r))
    return cost if np.isfinite(cost) else float("inf")


def hessian(x):
    """Hessian of J with respect to (w, b); it does not depend on y or on (w, b).

    Parameters
    ----------
    x : array_like of shape (m,)

    Returns
    -------
    H : ndarray of shape (2, 2)
        [[mean(x²), mean(x)], [mean(x), 1]].
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 1:
        raise ValueError(f"x must be 1-D and not empty; got shape {x.shape}")
    return np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])


def curvatures(x):
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


def max_stable_step(x):
    """Largest step size for which gradient descent on J converges: 2 / λ_max.

    Parameters
    ----------
    x : array_like of shape (m,)

    Returns
    -------
    alpha_max : float
        Any α < alpha_max converges; any α > alpha_max diverges (from almost any start).
    """
    return 2.0 / curvatures(x)[1]


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

    costs: np.ndarray
    path: np.ndarray
    learning_rate: float
    num_iterations: int
    diverged: bool
    reason: str | None

    @property
    def iterations_run(self):
        """Updates actually applied (k)."""
        return len(self.costs) - 1

    @property
    def final(self):
        """(w, b) after the last applied update."""
        return float(self.path[-1, 0]), float(self.path[-1, 1])

    @property
    def final_cost(self):
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


def gradient_descent(x, y, learning_rate, num_iterations, w0=0.0, b0=0.0, blowup=BLOWUP_FACTOR):
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
    x, y = _check_xy(x, y)
    alpha = _check_real("learning rate", learning_rate, positive=True)
    n = _check_int("num_iterations", num_iterations, 0, 1_000_000)
    w, b = _check_real("w0", w0), _check_real("b0", b0)
    if isinstance(blowup, bool) or not isinstance(blowup, Real) or not blowup > 1:
        raise ValueError(f"blowup must be a number > 1 (inf: stop only on overflow); got {blowup!r}")
    blowup = float(blowup)

    m = x.size
    ones = np.ones(m)
    costs = np.empty(n + 1)
    path = np.empty((n + 1, 2))
    reason = None
    k = 0
    with np.errstate(over="ignore", invalid="ignore"):
        r = w * x + b - y                     # residuals, (m,)
        costs[0] = 0.5 * float(r @ r) / m
        path[0] = w, b
        if not np.isfinite(costs[0]):
            raise ValueError("the cost at the starting point is not finite; start closer to the data")
        limit = blowup * max(costs[0], np.finfo(np.float64).tiny)
        for i in range(1, n + 1):
            dw = float(r @ x) / m              # ∂J/∂w = mean(r·x)
            db = float(r @ ones) / m           # ∂J/∂b = mean(r)
            w_new, b_new = w - alpha * dw, b - alpha * db
            r_new = w_new * x + b_new - y
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
    costs, path = costs[:k + 1].copy(), path[:k + 1].copy()
    if reason is None and costs[-1] > costs[0]:
        reason = "increasing"
    return DescentResult(costs, path, alpha, n, reason is not None, reason)


# ----------------------------------------------------------------------------
# the cost surface
# ----------------------------------------------------------------------------

def cost_surface(x, y, w_range, b_range, n=121):
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
    x, y = _check_xy(x, y)
    n = _check_int("n", n, 2, 1000)
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
    w_opt, b_opt = least_squares(x, y)
    j_opt = mse_cost(w_opt, b_opt, x, y)
    H = hessian(x)
    dw = w_grid[None, :] - w_opt
    db = b_grid[:, None] - b_opt
    J = j_opt + 0.5 * (H[0, 0] * dw * dw + 2.0 * H[0, 1] * dw * db + H[1, 1] * db * db)
    return w_grid, b_grid, J


def square_window(points, margin=0.2):
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
        raise ValueError("points must be finite")
    margin = _check_real("margin", margin)
    if margin < 0:
        raise ValueError(f"margin must be ≥ 0; got {margin!r}")
    lo, hi = p.min(axis=0), p.max(axis=0)
    centre = (lo + hi) / 2
    half = max(float(np.max(hi - lo)) / 2, 0.5) * (1 + 2 * margin)
    return ((centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half))


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

    x: np.ndarray
    y: np.ndarray
    x_std: np.ndarray
    mean: float
    std: float
    raw: DescentResult
    standardized: DescentResult
    optimum_raw: tuple
    optimum_std: tuple
    optimal_cost: float
    curvatures_raw: tuple
    curvatures_std: tuple

    @property
    def max_step_raw(self):
        """2 / λ_max on raw x."""
        return 2.0 / self.curvatures_raw[1]

    @property
    def max_step_std(self):
        """2 / λ_max on standardized x (2, since its Hessian is the identity)."""
        return 2.0 / self.curvatures_std[1]

    def in_raw_units(self, w, b):
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

    def surface(self, which, n=121, margin=0.2):
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
            x, start, opt = self.x, self.raw.path[0], self.optimum_raw
        elif which == "standardized":
            x, start, opt = self.x_std, self.standardized.path[0], self.optimum_std
        else:
            raise ValueError(f"which must be 'raw' or 'standardized'; got {which!r}")
        w_range, b_range = square_window([start, opt], margin)
        return cost_surface(x, self.y, w_range, b_range, n)


def compare_standardization(learning_rate, num_iterations, m=100, seed=42, noise_std=10.0):
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
        x=x, y=y, x_std=x_std, mean=mean, std=std, raw=raw, standardized=stdz,
        optimum_raw=opt_raw, optimum_std=opt_std,
        optimal_cost=mse_cost(*opt_raw, x, y),
        curvatures_raw=curvatures(x), curvatures_std=curvatures(x_std),
    )
