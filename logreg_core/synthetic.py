"""Procedurally drawn stand-in for the classic "cat vs non-cat" image set.

Deterministic, seeded, pure NumPy: cat faces (head, triangular ears, eyes,
nose, mouth, whiskers) against non-cats (ear-less faces, houses, trees, cars,
stripes, checkerboards, blobs, landscapes, triangles) over varied backgrounds,
with per-image noise, brightness and contrast.  Like the real 64 x 64 set it
is learnable by a one-neuron logistic regression, but not perfectly.

Private drawers share one convention: ``x`` and ``y`` are ndarrays of shape
(1, size) and (size, 1) of pixel-centre coordinates in [0, 1] (``y`` points
down); ``img`` is a float ndarray of shape (3, size, size), painted in place
(channel first because masked writes are much faster in that layout).
"""

from __future__ import annotations

import numpy as np

from .checks import check_int, check_open_unit

__all__ = ["make_synthetic_arrays"]

_FURS = np.array(
    [[225, 130, 45], [130, 130, 138], [38, 36, 40], [238, 236, 228], [135, 92, 58], [238, 205, 155], [95, 90, 100]],
    dtype=float,
)
_IRIS = np.array([[110, 190, 60], [230, 200, 40], [90, 160, 230], [215, 140, 30]], dtype=float)
_PINK, _CREAM = np.array([235.0, 150, 165]), np.array([240.0, 235, 225])
_SKY, _GRASS, _BARK, _LEAF = (
    np.array(c, dtype=float) for c in ((120, 170, 230), (70, 140, 60), (110, 75, 40), (50, 140, 50))
)


def _ellipse(u, v, cx, cy, rx, ry):
    """Mask of shape (size, size), dtype bool, of an axis-aligned ellipse.

    Parameters
    ----------
    u, v : ndarray of shape (1, size), (size, 1) or (size, size)
        Coordinate grids, broadcast against each other.
    cx, cy, rx, ry : float
        Centre and semi-axes, in the units of `u` and `v`.
    """
    return ((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2 <= 1.0


def _triangle_depth(u, v, pts):
    """Smallest barycentric coordinate with respect to a triangle, for every pixel.

    It is >= 0 inside the triangle and >= t inside its copy shrunk by the
    factor 1 - 3 t about the centroid (so one call gives an ear and its inner ear).

    Parameters
    ----------
    u, v : ndarray of shape (1, size), (size, 1) or (size, size)
        Coordinate grids.
    pts : array_like of shape (3, 2)
        Vertices (x, y), in either orientation.

    Returns
    -------
    depth : ndarray of shape (size, size), dtype float
    """
    p = np.asarray(pts, dtype=float)
    a, b = p[[1, 2, 0]], p[[2, 0, 1]]  # edge b -> a lies opposite vertex p[i]
    area2 = (p[1, 0] - p[0, 0]) * (p[2, 1] - p[0, 1]) - (p[1, 1] - p[0, 1]) * (p[2, 0] - p[0, 0])
    cu, cv = (a[:, 1] - b[:, 1]) / area2, (b[:, 0] - a[:, 0]) / area2
    c0 = (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) / area2
    return np.minimum(
        np.minimum(cu[0] * u + cv[0] * v + c0[0], cu[1] * u + cv[1] * v + c0[1]), cu[2] * u + cv[2] * v + c0[2]
    )


def _triangle(u, v, pts):
    """Mask of shape (size, size), dtype bool, of a filled triangle (arguments as `_triangle_depth`)."""
    return _triangle_depth(u, v, pts) >= 0


def _segments(u, v, p, q, width):
    """Mask of shape (size, size), dtype bool, of thick line segments.

    Parameters
    ----------
    u, v : ndarray of shape (1, size), (size, 1) or (size, size)
        Coordinate grids.
    p, q : array_like of shape (k, 2)
        Start and end points of the `k` segments.
    width : float
        Line width, in the units of `u` and `v`.
    """
    p, q = np.asarray(p, float)[:, :, None, None], np.asarray(q, float)[:, :, None, None]
    dx, dy = q[:, 0] - p[:, 0], q[:, 1] - p[:, 1]
    du, dv = u - p[:, 0], v - p[:, 1]
    t = np.clip((du * dx + dv * dy) / (dx**2 + dy**2), 0.0, 1.0)
    return ((du - t * dx) ** 2 + (dv - t * dy) ** 2 <= (width / 2) ** 2).any(axis=0)


def _paint(img, mask, colour):
    """Set the pixels of `img` (shape (3, size, size)) where `mask` is true to `colour` (shape (3,))."""
    np.copyto(img, np.asarray(colour, dtype=img.dtype)[:, None, None], where=mask)


def _colour(rng, base=None, jitter=25.0):
    """Uniformly random RGB colour of shape (3,), or `base` (shape (3,)) plus Gaussian jitter."""
    if base is None:
        return rng.uniform(0, 255, 3)
    return np.clip(base + rng.normal(0, jitter, 3), 0, 255)


def _background(rng, x, y):
    """Plain, linear-gradient or smooth-noise background, as ndarray of shape (3, size, size)."""
    size = x.shape[1]
    c0, c1 = _colour(rng), _colour(rng)
    kind = rng.integers(3)
    if kind == 0:
        t = np.zeros((size, size))
    elif kind == 1:
        a = rng.uniform(0, 2 * np.pi)
        t = np.clip(0.5 + (x - 0.5) * np.cos(a) + (y - 0.5) * np.sin(a), 0, 1)
    else:  # bilinearly upsampled coarse random field
        cells = int(rng.integers(2, 9))
        coarse = rng.uniform(0, 1, (cells + 1, cells + 1))
        g = np.linspace(0, cells, size)
        i = np.minimum(g.astype(int), cells - 1)
        f = g - i
        rows = coarse[i] * (1 - f)[:, None] + coarse[i + 1] * f[:, None]
        t = rows[:, i] * (1 - f) + rows[:, i + 1] * f
    return c0[:, None, None] + (c1 - c0)[:, None, None] * t


def _cat(rng, img, x, y):
    """Cat face: ears, head, optional shoulders/tabby stripes/muzzle, eyes, nose, mouth, whiskers."""
    r, aspect, rot = rng.uniform(0.21, 0.34), rng.uniform(0.85, 1.2), rng.uniform(-0.3, 0.3)
    cx, cy = 0.5 + rng.uniform(-0.12, 0.12), 0.56 + rng.uniform(-0.1, 0.1)
    # Rotated local coordinates in which the head is the unit disc and v points down the face.
    u = ((x - cx) * np.cos(rot) + (y - cy) * np.sin(rot)) / (r * aspect)
    v = (-(x - cx) * np.sin(rot) + (y - cy) * np.cos(rot)) / r
    px = 1.0 / (r * img.shape[1])  # one pixel in local units
    fur = _colour(rng, _FURS[rng.integers(len(_FURS))], 18)
    if rng.uniform() < 0.4:  # shoulders
        _paint(img, _ellipse(u, v, 0, 1.75, 1.5, 1.0), fur)
    au = np.abs(u)  # mirror-symmetric features (ears, eyes, mouth, whiskers) are drawn in (|u|, v)
    tip, spread = rng.uniform(1.3, 1.7), rng.uniform(0.0, 0.25)
    ear = _triangle_depth(au, v, [(0.95, -0.2), (0.2, -0.8), (0.75 + spread, -tip)])
    _paint(img, ear >= 0, fur)
    _paint(img, ear >= 0.4 / 3, _colour(rng, _PINK, 15))  # inner ear: the ear shrunk by 0.6
    head = _ellipse(u, v, 0, 0, 1, 1)
    _paint(img, head, fur)
    if rng.uniform() < 0.5:  # tabby stripes on forehead and cheeks
        stripes = np.sin(rng.uniform(9, 15) * (u + 0.3 * v**2)) > 0.45
        _paint(
            img, head & stripes & (np.abs(v + 0.5) > 0.2) & ((v < -0.35) | (au > 0.65)), fur * rng.uniform(0.35, 0.7)
        )
    if rng.uniform() < 0.5:  # pale muzzle
        _paint(img, _ellipse(u, v, 0, 0.42, 0.48, 0.3), _colour(rng, _CREAM, 10))
    iris = _colour(rng, _IRIS[rng.integers(len(_IRIS))], 20)
    ey, pupil = rng.uniform(-0.2, -0.05), rng.uniform(0.05, 0.14)
    _paint(img, _ellipse(au, v, 0.4, ey, 0.21, 0.17), iris)
    _paint(img, _ellipse(au, v, 0.4, ey, max(pupil, 2 * px), 0.15), (15, 15, 15))
    _paint(img, _triangle(u, v, [(-0.13, 0.2), (0.13, 0.2), (0, 0.34)]), _colour(rng, _PINK * 0.8, 30))
    line = (30, 30, 30) if fur.mean() > 110 else (225, 225, 225)
    starts = [(0.0, 0.34), (0.3, 0.3), (0.3, 0.36), (0.3, 0.42)]  # mouth, then three whiskers
    ends = [(0.15, 0.47), (1.35, 0.06), (1.35, 0.28), (1.35, 0.5)]
    _paint(img, _segments(au, v, starts, ends, px), line)


def _place(rng):
    """Random centre (cx, cy) and scale r of a non-cat object, as three floats."""
    return rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.32)


def _face(rng, img, x, y):
    """Ear-less (or round-eared) face-like blob with two dot eyes: deliberately cat-like."""
    cx, cy, r = _place(rng)
    fur = _colour(rng, _FURS[rng.integers(len(_FURS))], 18)
    if rng.uniform() < 0.5:
        for s in (-1, 1):
            _paint(img, _ellipse(x, y, cx + s * 0.7 * r, cy - 0.75 * r, 0.35 * r, 0.35 * r), fur)
    _paint(img, _ellipse(x, y, cx, cy, r * rng.uniform(0.85, 1.2), r), fur)
    for s in (-1, 1):
        _paint(img, _ellipse(x, y, cx + s * 0.4 * r, cy - 0.1 * r, 0.12 * r, 0.12 * r), _colour(rng))
    if rng.uniform() < 0.5:
        _paint(img, _ellipse(x, y, cx, cy + 0.3 * r, 0.1 * r, 0.07 * r), (20, 20, 20))


def _house(rng, img, x, y):
    """House: walls, triangular (ear-like) roof, door and window."""
    cx, cy, w = _place(rng)
    h = w * rng.uniform(0.6, 1.0)
    _paint(img, (np.abs(x - cx) < w) & (y > cy) & (y < cy + h), _colour(rng))
    _paint(img, _triangle(x, y, [(cx - 1.2 * w, cy), (cx + 1.2 * w, cy), (cx, cy - h)]), _colour(rng))
    _paint(img, (np.abs(x - cx) < 0.2 * w) & (y > cy + 0.45 * h) & (y < cy + h), _colour(rng))
    _paint(img, (np.abs(x - cx - 0.6 * w) < 0.18 * w) & (np.abs(y - cy - 0.3 * h) < 0.15 * h), _colour(rng))


def _tree(rng, img, x, y):
    """Tree: trunk with a round or a three-layer pine canopy."""
    cx, cy, r = _place(rng)
    _paint(img, (np.abs(x - cx) < 0.15 * r) & (y > cy) & (y < cy + 1.6 * r), _colour(rng, _BARK))
    green = _colour(rng, _LEAF, 35)
    if rng.uniform() < 0.5:
        _paint(img, _ellipse(x, y, cx, cy - 0.2 * r, r, r), green)
        return
    for k in range(3):
        base, top = cy + (0.2 - 0.6 * k) * r, cy - (0.9 + 0.6 * k) * r
        _paint(img, _triangle(x, y, [(cx - r, base), (cx + r, base), (cx, top)]), green)


def _car(rng, img, x, y):
    """Car: body, cabin with window, two (eye-like) wheels."""
    cx, cy, r = _place(rng)
    c = _colour(rng)
    _paint(img, (np.abs(x - cx) < 1.3 * r) & (np.abs(y - cy) < 0.35 * r), c)
    _paint(img, (np.abs(x - cx) < 0.7 * r) & (y > cy - 0.9 * r) & (y < cy), c * 0.8)
    _paint(img, (np.abs(x - cx) < 0.55 * r) & (y > cy - 0.75 * r) & (y < cy - 0.4 * r), (170, 210, 235))
    for s in (-1, 1):
        _paint(img, _ellipse(x, y, cx + s * 0.8 * r, cy + 0.35 * r, 0.3 * r, 0.3 * r), (25, 25, 25))


def _pattern(rng, img, x, y):
    """Stripes or a checkerboard at a random angle and frequency."""
    a, f = rng.uniform(0, np.pi), rng.uniform(6, 30)
    s, t = np.sin(f * (x * np.cos(a) + y * np.sin(a))) > 0, np.sin(f * (y * np.cos(a) - x * np.sin(a))) > 0
    _paint(img, s if rng.uniform() < 0.5 else s ^ t, _colour(rng))


def _blobs(rng, img, x, y):
    """Two to five merged round blobs (thresholded sum of Gaussian bumps)."""
    field = sum(
        np.exp(-((x - rng.uniform()) ** 2 + (y - rng.uniform()) ** 2) / (2 * rng.uniform(0.05, 0.15) ** 2))
        for _ in range(int(rng.integers(2, 6)))
    )
    _paint(img, field > 0.5, _colour(rng))


def _landscape(rng, img, x, y):
    """Landscape: sky gradient, optional mountains, sun, hills with a wavy horizon."""
    horizon = rng.uniform(0.4, 0.75)
    img[:] = _colour(rng, _SKY, 30)[:, None, None] * (0.7 + 0.5 * y)
    for _ in range(2 * int(rng.uniform() < 0.5)):
        mx = rng.uniform(0.1, 0.9)
        _paint(
            img,
            _triangle(x, y, [(mx - 0.35, horizon + 0.1), (mx + 0.35, horizon + 0.1), (mx, horizon - 0.3)]),
            _colour(rng, np.array([120.0, 110, 115])),
        )
    _paint(img, _ellipse(x, y, rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.3), 0.08, 0.08), (250, 225, 90))
    wave = 0.05 * np.sin(rng.uniform(5, 15) * x + rng.uniform(0, 6))
    _paint(img, y > horizon + wave, _colour(rng, _GRASS, 40))


def _triangles(rng, img, x, y):
    """Two to five scattered triangles (ear-like shapes without a face)."""
    for _ in range(int(rng.integers(2, 6))):
        px, py, s = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.08, 0.25)
        _paint(
            img, _triangle(x, y, [(px - s, py + s), (px + s, py + s), (px + rng.uniform(-s, s), py - s)]), _colour(rng)
        )


_NON_CATS = (_face, _house, _tree, _car, _pattern, _pattern, _blobs, _landscape, _triangles)


def _draw_set(rng, n, n_cat, size):
    """Draw `n` images in shuffled order, `n_cat` of them cats.

    Parameters
    ----------
    rng : numpy.random.Generator
    n, n_cat, size : int
        Number of images, number of cats among them, image side in pixels.

    Returns
    -------
    x : ndarray of shape (n, size, size, 3), dtype uint8
    y : ndarray of shape (n,), dtype int64
    """
    labels = rng.permutation(np.repeat(np.array([1, 0], dtype=np.int64), [n_cat, n - n_cat]))
    g = (np.arange(size) + 0.5) / size
    x, y = g[None, :], g[:, None]
    imgs = np.empty((n, 3, size, size), dtype=np.float32)
    for img, label in zip(imgs, labels, strict=True):
        img[:] = _background(rng, x, y)
        draw = _cat if label else _NON_CATS[rng.integers(len(_NON_CATS))]
        draw(rng, img, x, y)
    # Per-image contrast, brightness and pixel noise, for all images at once and in place.  The darkening
    # shift (mean pixel ~0.41 after /255) keeps gradient descent with lr 0.005 on /255 pixels stable.
    contrast, shift, sigma = (
        rng.uniform(lo, hi, (n, 1, 1, 1)).astype(np.float32) for lo, hi in ((0.6, 1.3), (-65, 15), (2, 14))
    )
    mean = imgs.mean(axis=(1, 2, 3), keepdims=True)
    imgs -= mean
    imgs *= contrast
    imgs += mean + shift
    noise = rng.random(imgs.shape, dtype=np.float32) - np.float32(0.5)  # uniform: faster than normal
    imgs += noise * (sigma * np.float32(np.sqrt(12.0)))  # std `sigma`
    np.clip(np.rint(imgs, out=imgs), 0, 255, out=imgs)
    return np.ascontiguousarray(imgs.astype(np.uint8).transpose(0, 2, 3, 1)), labels


def _n_cats(n: int, fraction: float) -> int:
    """Cats among `n` images: the rounded fraction, with both classes present when n ≥ 2."""
    cats = int(round(n * fraction))
    return min(max(cats, 1), n - 1) if n >= 2 else cats


def make_synthetic_arrays(
    seed: int = 0,
    n_train: int = 209,
    n_test: int = 50,
    size: int = 64,
    cat_fraction: float = 72 / 209,
    test_cat_fraction: float | None = 33 / 50,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
        Fraction of cats in the training set, strictly between 0 and 1: it
        holds ``round(n_train * cat_fraction)`` cats (clipped to 1 .. n_train - 1
        so that both classes occur). The default gives the real set's 137
        non-cat / 72 cat.
    test_cat_fraction : float or None, default 33 / 50
        The same for the test set; None uses ``cat_fraction``. The default
        gives the real test set's 17 non-cat / 33 cat.

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
        If an argument has the wrong type or is out of range.
    """
    check_int("seed", seed, 0)
    check_int("n_train", n_train, 2)
    check_int("n_test", n_test, 1)
    check_int("size", size, 16)
    train_fraction = check_open_unit("cat_fraction", cat_fraction)
    test_fraction = (
        train_fraction if test_cat_fraction is None else check_open_unit("test_cat_fraction", test_cat_fraction)
    )
    rng = np.random.default_rng(seed)
    train_x, train_y = _draw_set(rng, int(n_train), _n_cats(int(n_train), train_fraction), int(size))
    test_x, test_y = _draw_set(rng, int(n_test), _n_cats(int(n_test), test_fraction), int(size))
    classes = np.array([b"non-cat", b"cat"], dtype="S7")
    return train_x, train_y, test_x, test_y, classes
