"""Procedurally drawn stand-in for the classic "cat vs non-cat" image set.

The real teaching data set (209 training and 50 test RGB images of 64 x 64
pixels, about a third of them cats) is not always available.  This module
draws a deterministic, seeded replacement with pure NumPy: cat faces
(round head, triangular ears, eyes, nose, whiskers) against non-cat pictures
(ear-less faces, houses, trees, cars, stripes, checkerboards, blobs,
landscapes), all over varied backgrounds with per-image noise, brightness and
contrast.  It is learnable by a one-neuron logistic regression but, like the
original, not perfectly: such a model overfits the training set and scores
clearly below 100 % on the test set.
"""

from numbers import Integral, Real

import numpy as np

__all__ = ["make_synthetic_arrays"]

_FURS = np.array([[225, 130, 45], [130, 130, 138], [38, 36, 40], [238, 236, 228],
                  [135, 92, 58], [238, 205, 155], [95, 90, 100]], dtype=float)
_IRIS = np.array([[110, 190, 60], [230, 200, 40], [90, 160, 230], [215, 140, 30]], dtype=float)
_PINK = np.array([235, 150, 165], dtype=float)


def _ellipse(u, v, cx, cy, rx, ry):
    """Mask of an axis-aligned ellipse.

    Parameters
    ----------
    u, v : ndarray of shape (size, 1) or (size, size)
        Coordinate grids (broadcast against each other).
    cx, cy, rx, ry : float
        Centre and semi-axes, in the units of `u` and `v`.

    Returns
    -------
    mask : ndarray of shape (size, size), dtype bool
    """
    return ((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2 <= 1.0


def _triangle(u, v, pts):
    """Mask of a filled triangle.

    Parameters
    ----------
    u, v : ndarray of shape (size, 1) or (size, size)
        Coordinate grids.
    pts : sequence of 3 (x, y) pairs
        Vertices, in either orientation.

    Returns
    -------
    mask : ndarray of shape (size, size), dtype bool
    """
    (x0, y0), (x1, y1), (x2, y2) = pts
    d = [(xb - xa) * (v - ya) - (yb - ya) * (u - xa)
         for (xa, ya), (xb, yb) in (((x0, y0), (x1, y1)), ((x1, y1), (x2, y2)), ((x2, y2), (x0, y0)))]
    return ((d[0] >= 0) & (d[1] >= 0) & (d[2] >= 0)) | ((d[0] <= 0) & (d[1] <= 0) & (d[2] <= 0))


def _segments(u, v, p, q, width):
    """Mask of thick line segments (all points within ``width / 2`` of one).

    Parameters
    ----------
    u, v : ndarray of shape (size, 1) or (size, size)
        Coordinate grids.
    p, q : array_like of shape (k, 2)
        Start and end points of the `k` segments.
    width : float
        Line width, in the units of `u` and `v`.

    Returns
    -------
    mask : ndarray of shape (size, size), dtype bool
    """
    p, q = np.asarray(p, float)[:, :, None, None], np.asarray(q, float)[:, :, None, None]
    d = q - p
    du, dv = u - p[:, 0], v - p[:, 1]
    t = np.clip((du * d[:, 0] + dv * d[:, 1]) / (d[:, 0] ** 2 + d[:, 1] ** 2), 0.0, 1.0)
    return ((du - t * d[:, 0]) ** 2 + (dv - t * d[:, 1]) ** 2 <= (width / 2) ** 2).any(axis=0)


def _paint(img, mask, colour):
    """Fill the pixels of `img` selected by `mask` with `colour`, in place.

    Parameters
    ----------
    img : ndarray of shape (3, size, size), dtype float
        Channel-first image (masked copies are much faster in this layout).
    mask : ndarray of shape (size, size), (size, 1) or (1, size), dtype bool
    colour : array_like of shape (3,)
    """
    np.copyto(img, np.asarray(colour, dtype=img.dtype)[:, None, None], where=mask)


def _colour(rng, base=None, jitter=25.0):
    """Random RGB colour of shape (3,), or `base` of shape (3,) plus jitter."""
    if base is None:
        return rng.uniform(0, 255, 3)
    return np.clip(base + rng.normal(0, jitter, 3), 0, 255)


def _smooth_noise(rng, size, cells):
    """Bilinearly upsampled random field of shape (size, size) in [0, 1]."""
    coarse = rng.uniform(0, 1, (cells + 1, cells + 1))
    g = np.linspace(0, cells, size)
    i = np.minimum(g.astype(int), cells - 1)
    f = g - i
    rows = coarse[i] * (1 - f)[:, None] + coarse[i + 1] * f[:, None]
    return rows[:, i] * (1 - f) + rows[:, i + 1] * f


def _background(rng, x, y):
    """Plain, gradient or noise-texture background.

    Parameters
    ----------
    rng : numpy.random.Generator
    x, y : ndarray of shape (1, size) and (size, 1)
        Pixel-centre coordinates in [0, 1].

    Returns
    -------
    img : ndarray of shape (3, size, size), dtype float
    """
    size = x.shape[1]
    c0, c1 = _colour(rng), _colour(rng)
    kind = rng.integers(3)
    if kind == 0:
        t = np.zeros((size, size))
    elif kind == 1:
        a = rng.uniform(0, 2 * np.pi)
        t = np.clip(0.5 + (x - 0.5) * np.cos(a) + (y - 0.5) * np.sin(a), 0, 1)
    else:
        t = _smooth_noise(rng, size, int(rng.integers(2, 9)))
    return c0[:, None, None] + (c1 - c0)[:, None, None] * t


def _draw_cat(rng, img, x, y):
    """Draw a cat face (ears, head, eyes, nose, mouth, whiskers) into `img`.

    Parameters
    ----------
    rng : numpy.random.Generator
    img : ndarray of shape (3, size, size), dtype float
        Channel-first image, modified in place.
    x, y : ndarray of shape (1, size) and (size, 1)
        Pixel-centre coordinates in [0, 1].
    """
    r, aspect, rot = rng.uniform(0.21, 0.34), rng.uniform(0.85, 1.2), rng.uniform(-0.3, 0.3)
    cx, cy = 0.5 + rng.uniform(-0.12, 0.12), 0.56 + rng.uniform(-0.1, 0.1)
    # Local head coordinates: head is the unit disc, v points down the face.
    u = ((x - cx) * np.cos(rot) + (y - cy) * np.sin(rot)) / (r * aspect)
    v = (-(x - cx) * np.sin(rot) + (y - cy) * np.cos(rot)) / r
    px = 1.0 / (r * img.shape[1])  # one pixel in local units
    fur = _colour(rng, _FURS[rng.integers(len(_FURS))], 18)
    dark = fur * rng.uniform(0.35, 0.7)
    if rng.uniform() < 0.4:  # shoulders
        _paint(img, _ellipse(u, v, 0, 1.75, 1.5, 1.0), fur)
    tip, spread = rng.uniform(1.3, 1.7), rng.uniform(0.0, 0.25)
    for s in (-1, 1):
        ear = [(s * 0.95, -0.2), (s * 0.2, -0.8), (s * (0.75 + spread), -tip)]
        _paint(img, _triangle(u, v, ear), fur)
        inner = [(0.6 * a + 0.4 * np.mean([e[0] for e in ear]), 0.6 * b + 0.4 * np.mean([e[1] for e in ear]))
                 for a, b in ear]
        _paint(img, _triangle(u, v, inner), _colour(rng, _PINK, 15))
    head = _ellipse(u, v, 0, 0, 1, 1)
    _paint(img, head, fur)
    if rng.uniform() < 0.5:  # tabby stripes on the forehead and cheeks
        _paint(img, head & (np.sin(rng.uniform(9, 15) * (u + 0.3 * v ** 2)) > 0.45) & (np.abs(v + 0.5) > 0.2)
               & ((v < -0.35) | (np.abs(u) > 0.65)), dark)
    if rng.uniform() < 0.5:  # pale muzzle
        _paint(img, _ellipse(u, v, 0, 0.42, 0.48, 0.3), _colour(rng, np.array([240, 235, 225.0]), 10))
    iris, ey, pupil = _colour(rng, _IRIS[rng.integers(len(_IRIS))], 20), rng.uniform(-0.2, -0.05), rng.uniform(0.05, 0.14)
    for s in (-1, 1):
        _paint(img, _ellipse(u, v, s * 0.4, ey, 0.21, 0.17), iris)
        _paint(img, _ellipse(u, v, s * 0.4, ey, max(pupil, 2 * px), 0.15), (15, 15, 15))
    _paint(img, _triangle(u, v, [(-0.13, 0.2), (0.13, 0.2), (0, 0.34)]), _colour(rng, _PINK * 0.8, 30))
    line = (30, 30, 30) if fur.mean() > 110 else (225, 225, 225)
    _paint(img, _segments(u, v, [(0, 0.34), (0, 0.34)], [(-0.15, 0.47), (0.15, 0.47)], 1.1 * px), line)
    side, k = np.repeat([-1.0, 1.0], 3), np.tile([-1.0, 0.0, 1.0], 2)
    _paint(img, _segments(u, v, np.c_[0.3 * side, 0.36 + 0.06 * k], np.c_[1.35 * side, 0.28 + 0.22 * k], 0.9 * px), line)


def _draw_noncat(rng, img, x, y):
    """Draw one random non-cat picture into `img` (same arguments as `_draw_cat`)."""
    c, cx, cy, r = _colour(rng), rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.32)
    kind = rng.integers(9)
    if kind == 0:  # ear-less face-like blob, maybe with round ears: deliberately confusable
        fur = _colour(rng, _FURS[rng.integers(len(_FURS))], 18)
        if rng.uniform() < 0.5:
            for s in (-1, 1):
                _paint(img, _ellipse(x, y, cx + s * 0.7 * r, cy - 0.75 * r, 0.35 * r, 0.35 * r), fur)
        _paint(img, _ellipse(x, y, cx, cy, r * rng.uniform(0.85, 1.2), r), fur)
        for s in (-1, 1):
            _paint(img, _ellipse(x, y, cx + s * 0.4 * r, cy - 0.1 * r, 0.12 * r, 0.12 * r), _colour(rng))
        if rng.uniform() < 0.5:
            _paint(img, _ellipse(x, y, cx, cy + 0.3 * r, 0.1 * r, 0.07 * r), (20, 20, 20))
    elif kind == 1:  # house: walls, triangular roof (ear-like), door, window
        w, h = r, r * rng.uniform(0.6, 1.0)
        _paint(img, (np.abs(x - cx) < w) & (y > cy) & (y < cy + h), c)
        _paint(img, _triangle(x, y, [(cx - 1.2 * w, cy), (cx + 1.2 * w, cy), (cx, cy - h)]), _colour(rng))
        _paint(img, (np.abs(x - cx) < 0.2 * w) & (y > cy + 0.45 * h) & (y < cy + h), _colour(rng))
        _paint(img, (np.abs(x - cx - 0.6 * w) < 0.18 * w) & (np.abs(y - cy - 0.3 * h) < 0.15 * h), _colour(rng))
    elif kind == 2:  # tree: trunk plus round or pine canopy
        _paint(img, (np.abs(x - cx) < 0.15 * r) & (y > cy) & (y < cy + 1.6 * r), _colour(rng, np.array([110, 75, 40.0])))
        green = _colour(rng, np.array([50, 140, 50.0]), 35)
        if rng.uniform() < 0.5:
            _paint(img, _ellipse(x, y, cx, cy - 0.2 * r, r, r), green)
        else:
            for k in range(3):
                _paint(img, _triangle(x, y, [(cx - r, cy + 0.2 * r - 0.6 * k * r), (cx + r, cy + 0.2 * r - 0.6 * k * r),
                                             (cx, cy - 0.9 * r - 0.6 * k * r)]), green)
    elif kind == 3:  # car: body, cabin, two wheels
        _paint(img, (np.abs(x - cx) < 1.3 * r) & (np.abs(y - cy) < 0.35 * r), c)
        _paint(img, (np.abs(x - cx) < 0.7 * r) & (y > cy - 0.9 * r) & (y < cy), c * 0.8)
        _paint(img, (np.abs(x - cx) < 0.55 * r) & (y > cy - 0.75 * r) & (y < cy - 0.4 * r), (170, 210, 235))
        for s in (-1, 1):
            _paint(img, _ellipse(x, y, cx + s * 0.8 * r, cy + 0.35 * r, 0.3 * r, 0.3 * r), (25, 25, 25))
    elif kind in (4, 5):  # stripes or checkerboard at a random angle
        a, f = rng.uniform(0, np.pi), rng.uniform(6, 30)
        s, t = x * np.cos(a) + y * np.sin(a), -x * np.sin(a) + y * np.cos(a)
        m = np.sin(f * s) > 0 if kind == 4 else (np.sin(f * s) > 0) ^ (np.sin(f * t) > 0)
        _paint(img, m, c)
    elif kind == 6:  # random blobs
        field = sum(np.exp(-((x - rng.uniform()) ** 2 + (y - rng.uniform()) ** 2) / (2 * rng.uniform(0.05, 0.15) ** 2))
                    for _ in range(int(rng.integers(2, 6))))
        _paint(img, field > 0.5, c)
    elif kind == 7:  # landscape: sky, hills with a wavy horizon, sun, maybe mountains
        img[:] = _colour(rng, np.array([120, 170, 230.0]), 30)[:, None, None] * (0.7 + 0.5 * y)
        if rng.uniform() < 0.5:
            for k in range(2):
                mx = rng.uniform(0.1, 0.9)
                _paint(img, _triangle(x, y, [(mx - 0.35, cy + 0.1), (mx + 0.35, cy + 0.1), (mx, cy - 0.3)]),
                       _colour(rng, np.array([120, 110, 115.0])))
        _paint(img, _ellipse(x, y, rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.3), 0.08, 0.08), (250, 225, 90))
        _paint(img, y > cy + 0.05 * np.sin(rng.uniform(5, 15) * x + rng.uniform(0, 6)), _colour(rng, np.array([70, 140, 60.0]), 40))
    else:  # scattered triangles (ear-like shapes without a face)
        for _ in range(int(rng.integers(2, 6))):
            px, py, s = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.08, 0.25)
            _paint(img, _triangle(x, y, [(px - s, py + s), (px + s, py + s), (px + rng.uniform(-s, s), py - s)]), _colour(rng))


def _draw_set(rng, n, n_cat, size):
    """Draw `n` shuffled images of which `n_cat` are cats.

    Returns
    -------
    x : ndarray of shape (n, size, size, 3), dtype uint8
    y : ndarray of shape (n,), dtype int64
    """
    labels = rng.permutation(np.repeat(np.array([1, 0], dtype=np.int64), [n_cat, n - n_cat]))
    g = (np.arange(size) + 0.5) / size
    gx, gy = g[None, :], g[:, None]
    imgs = np.empty((n, 3, size, size), dtype=np.float32)
    for i, label in enumerate(labels):
        imgs[i] = _background(rng, gx, gy)
        (_draw_cat if label else _draw_noncat)(rng, imgs[i], gx, gy)
    # Per-image contrast, brightness and pixel noise, all images at once (in place).
    contrast, shift, sigma = (rng.uniform(lo, hi, (n, 1, 1, 1)).astype(np.float32)
                              for lo, hi in ((0.6, 1.3), (-40, 40), (2, 14)))
    mean = imgs.mean(axis=(1, 2, 3), keepdims=True)
    imgs -= mean
    imgs *= contrast
    imgs += mean + shift
    noise = rng.random(imgs.shape, dtype=np.float32)  # uniform noise with std `sigma`: faster than normal
    noise -= 0.5
    noise *= sigma * np.float32(np.sqrt(12.0))
    imgs += noise
    np.clip(np.rint(imgs, out=imgs), 0, 255, out=imgs)
    return np.ascontiguousarray(imgs.astype(np.uint8).transpose(0, 2, 3, 1)), labels


def _check_int(name, value, minimum):
    """Raise ValueError unless `value` is an int (not bool) >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def make_synthetic_arrays(seed: int = 0, n_train: int = 209, n_test: int = 50, size: int = 64,
                          cat_fraction: float = 72 / 209):
    """Draw a deterministic synthetic "cat vs non-cat" image set.

    Parameters
    ----------
    seed : int, default 0
        Seed (>= 0) of the ``numpy.random.default_rng`` generator; the same
        seed always gives byte-identical arrays.
    n_train : int, default 209
        Number of training images (>= 2).
    n_test : int, default 50
        Number of test images (>= 1).
    size : int, default 64
        Height and width of each image in pixels (>= 16).
    cat_fraction : float, default 72 / 209
        Fraction of cats, strictly between 0 and 1.  The training set holds
        ``round(n_train * cat_fraction)`` cats (clipped to 1 .. n_train - 1 so
        both classes occur), the test set ``round(n_test * cat_fraction)``.

    Returns
    -------
    train_x : ndarray of shape (n_train, size, size, 3), dtype uint8
    train_y : ndarray of shape (n_train,), dtype int64
        0 = non-cat, 1 = cat, in shuffled order.
    test_x : ndarray of shape (n_test, size, size, 3), dtype uint8
    test_y : ndarray of shape (n_test,), dtype int64
    classes : ndarray of shape (2,), dtype 'S7'
        ``np.array([b'non-cat', b'cat'])``, indexed by label.

    Raises
    ------
    ValueError
        If an argument is of the wrong type or out of range.
    """
    _check_int("seed", seed, 0)
    _check_int("n_train", n_train, 2)
    _check_int("n_test", n_test, 1)
    _check_int("size", size, 16)
    if isinstance(cat_fraction, bool) or not isinstance(cat_fraction, Real) or not 0 < cat_fraction < 1:
        raise ValueError(f"cat_fraction must be a number strictly between 0 and 1, got {cat_fraction!r}")
    rng = np.random.default_rng(seed)
    n_cat_train = min(max(int(round(n_train * cat_fraction)), 1), n_train - 1)
    train_x, train_y = _draw_set(rng, int(n_train), n_cat_train, int(size))
    test_x, test_y = _draw_set(rng, int(n_test), int(round(n_test * cat_fraction)), int(size))
    classes = np.array([b"non-cat", b"cat"], dtype="S7")
    return train_x, train_y, test_x, test_y, classes
