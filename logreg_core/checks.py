"""Validation of user-given values: one helper per kind of value, one message style.

Every helper returns the value as the plain Python type it checks for, or raises
``ValueError("<name> must be <expected>; got <received>")``. Booleans are never
accepted as numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

__all__ = [
    "check_int",
    "check_positive_int",
    "check_finite",
    "check_positive_finite",
    "check_choice",
    "check_open_unit",
]


def _received(value: object) -> str:
    return repr(value)


def check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum].

    Parameters
    ----------
    name : str
        What the value is, as the user knows it (e.g. "number of iterations").
    value : object
    minimum : int
    maximum : int or None, default None
        No upper limit when None.

    Returns
    -------
    value : int
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}; got {_received(value)}")
    if maximum is not None and int(value) > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}; got {int(value):,}")
    return int(value)


def check_positive_int(name: str, value: object, maximum: int | None = None) -> int:
    """A whole number ≥ 1 (and ≤ maximum when given); see :func:`check_int`.

    Parameters
    ----------
    name : str
    value : object
    maximum : int or None, default None

    Returns
    -------
    value : int
    """
    return check_int(name, value, 1, maximum)


def check_finite(name: str, value: object, minimum: float | None = None) -> float:
    """A finite real number, ≥ minimum when one is given.

    Parameters
    ----------
    name : str
    value : object
    minimum : float or None, default None

    Returns
    -------
    value : float
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {_received(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be a finite number ≥ {minimum:g}; got {_received(value)}")
    return float(value)


def check_positive_finite(name: str, value: object) -> float:
    """A finite real number > 0.

    Parameters
    ----------
    name : str
    value : object

    Returns
    -------
    value : float
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {_received(value)}")
    return float(value)


def check_open_unit(name: str, value: object) -> float:
    """A real number strictly between 0 and 1.

    Parameters
    ----------
    name : str
    value : object

    Returns
    -------
    value : float
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
        raise ValueError(f"{name} must be a number strictly between 0 and 1; got {_received(value)}")
    return float(value)


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """One of a fixed set of strings.

    Parameters
    ----------
    name : str
    value : object
    choices : sequence of str

    Returns
    -------
    value : str
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {_received(value)}")
    return value
