"""From a data set to a trained model, and from a model to predictions on images.

A :class:`Model` keeps everything needed to treat a new photo exactly like the
training data: the fitted scaling, the image shape and the class names.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_positive_int
from .data import Dataset
from .images import MAX_SIZE as MAX_SIDE
from .model import accuracy, predict_proba
from .preprocess import Scaler, fit_scaler, flatten, scale_images, unflatten
from .settings import SCALINGS, TrainSettings
from .training import GradientDescent, Gram, Snapshot, choose_method, make_gram
from .trajectory import Trajectory

__all__ = [
    "Mistakes",
    "Model",
    "PreparedDataset",
    "ScaledData",
    "dataset_fingerprint",
    "find_mistakes",
    "fit",
    "model_from_run",
    "scale_dataset",
    "start_training",
]

#: Factor by which each scaling multiplies raw pixels, for those that are a plain multiple of them:
#: their kernels are one K times the factor squared.
PIXEL_FACTORS = {"none": 1.0, "255": 1.0 / 255.0}


@dataclass(frozen=True, eq=False)
class Model:
    """A trained one-neuron classifier.

    Attributes
    ----------
    w : ndarray of shape (n_features,)
    b : float
    scaler : Scaler
        The scaling fitted on the training set.
    image_shape : tuple of int
        (height, width, channels) of the images it takes.
    classes : tuple of str
        Names of label 0 and label 1.
    settings : TrainSettings
    costs : ndarray of shape (n_costs,)
        Training cost history, ``costs[0] = ln 2``.
    """

    w: np.ndarray
    b: float
    scaler: Scaler
    image_shape: tuple[int, ...]
    classes: tuple[str, ...]
    settings: TrainSettings
    costs: np.ndarray

    def __post_init__(self) -> None:
        shape = tuple(self.image_shape)
        if (
            len(shape) != 3
            or not all(isinstance(d, (int, np.integer)) for d in shape)
            or shape[2] != 3
            or not all(1 <= d <= MAX_SIDE for d in shape[:2])
        ):
            raise ValueError(f"image shape must be (height, width, 3) with sides from 1 to {MAX_SIDE}; got {shape}")
        w = np.asarray(self.w, dtype=np.float64).reshape(-1)
        if w.size != int(np.prod(self.image_shape)):
            raise ValueError(
                f"w has {w.size} weights but images of shape {tuple(self.image_shape)} "
                f"have {int(np.prod(self.image_shape))} pixels"
            )
        if not (np.all(np.isfinite(w)) and np.isfinite(self.b)):
            raise ValueError("w and b must be finite")
        if len(self.classes) != 2:
            raise ValueError(f"a model needs 2 class names; got {list(self.classes)}")
        object.__setattr__(self, "w", w)
        object.__setattr__(self, "b", float(self.b))
        object.__setattr__(self, "image_shape", tuple(int(d) for d in self.image_shape))
        object.__setattr__(self, "classes", tuple(str(c) for c in self.classes))
        object.__setattr__(self, "costs", np.asarray(self.costs, dtype=np.float64).reshape(-1))

    def _columns(self, images: ArrayLike) -> np.ndarray:
        images = np.asarray(images)
        if images.shape == self.image_shape:
            images = images[None]
        if images.ndim != 4 or images.shape[1:] != self.image_shape:
            raise ValueError(
                f"expected images of shape (k, {', '.join(map(str, self.image_shape))}); got {images.shape}"
            )
        return scale_images(images, self.scaler)  # (n_features, k)

    def predict_proba_images(self, images: ArrayLike) -> np.ndarray:
        """P(label 1) for each image.

        Parameters
        ----------
        images : ndarray of shape (k, height, width, 3) or (height, width, 3)
            Raw pixels (uint8 0–255), preprocessed here with the model's scaling.

        Returns
        -------
        p : ndarray of shape (k,)
        """
        return predict_proba(self.w, self.b, self._columns(images))

    def predict_images(self, images: ArrayLike) -> np.ndarray:
        """Labels 0/1 for each image, 1 where P(label 1) > the model's threshold.

        Returns
        -------
        labels : ndarray of shape (k,), dtype int64
        """
        return (self.predict_proba_images(images) > self.settings.threshold).astype(np.int64)

    def contributions(self, image: ArrayLike) -> np.ndarray:
        """Each pixel's share w_j·x_j of the logit z = Σ w_j·x_j + b.

        Parameters
        ----------
        image : ndarray of shape image_shape
            Raw pixels.

        Returns
        -------
        c : ndarray of shape image_shape
            Positive values push towards label 1.
        """
        x = self._columns(image)[:, 0]
        return unflatten(self.w * x, self.image_shape)

    @property
    def weight_image(self) -> np.ndarray:
        """w reshaped to image_shape, ndarray of shape (height, width, channels)."""
        return unflatten(self.w, self.image_shape)


@dataclass(frozen=True, eq=False)
class Mistakes:
    """Where a model is wrong on labelled images, most confident first.

    Attributes
    ----------
    probabilities : ndarray of shape (m,)
        P(label 1) for every image.
    accuracy : float
        Percent correct.
    false_positives : ndarray of int
        Indices labelled 0 but predicted 1, highest P first.
    false_negatives : ndarray of int
        Indices labelled 1 but predicted 0, lowest P first.
    """

    probabilities: np.ndarray
    accuracy: float
    false_positives: np.ndarray
    false_negatives: np.ndarray


def find_mistakes(model: Model, images: ArrayLike, labels: ArrayLike) -> Mistakes:
    """The model's errors on labelled images, sorted by confidence.

    Parameters
    ----------
    model : Model
    images : ndarray of shape (m, height, width, 3)
    labels : ndarray of shape (m,)
        0 or 1.

    Returns
    -------
    mistakes : Mistakes
    """
    labels = np.asarray(labels).reshape(-1)
    p = model.predict_proba_images(images)
    if labels.shape != p.shape:
        raise ValueError(f"expected one label per image ({p.size}); got {labels.size}")
    predicted = (p > model.settings.threshold).astype(np.int64)
    fp = np.flatnonzero((predicted == 1) & (labels == 0))
    fn = np.flatnonzero((predicted == 0) & (labels == 1))
    return Mistakes(
        p, accuracy(predicted, labels), fp[np.argsort(-p[fp], kind="stable")], fn[np.argsort(p[fn], kind="stable")]
    )


def dataset_fingerprint(dataset: Dataset) -> str:
    """A cheap key naming a data set's content (shapes, labels, a sample of pixels).

    Two data sets with the same fingerprint are treated as the same data by
    caches of scaled arrays and kernels. It hashes every label, the shapes,
    the class names and a strided sample of about 64 k pixels of each split
    (plus their sums), so it costs microseconds to milliseconds, not a pass
    over the data.

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    key : str
        A hex digest.
    """
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    h.update(repr((dataset.classes, dataset.train_x.shape, dataset.test_x.shape, str(dataset.train_x.dtype))).encode())
    for x, y in ((dataset.train_x, dataset.train_y), (dataset.test_x, dataset.test_y)):
        flat = x.reshape(-1)
        stride = max(1, flat.size // 65_536)
        h.update(np.ascontiguousarray(flat[::stride]).tobytes())
        h.update(np.ascontiguousarray(x[:, ::7, ::5]).sum(dtype=np.int64).tobytes())
        h.update(np.ascontiguousarray(np.asarray(y, dtype=np.int64)).tobytes())
    return h.hexdigest()


class _KernelCell:
    """K and the test kernel of one data set, made once for every scaling that is a multiple of raw pixels."""

    def __init__(self, block: int | None = None) -> None:
        self._lock = threading.Lock()
        self._gram: Gram | None = None
        self._factor = 1.0  # the pixel factor of the X it was made from
        self._block = block

    def gram_for(self, X: np.ndarray, X_test: np.ndarray | None, factor: float) -> Gram:
        with self._lock:
            if self._gram is None:
                self._gram, self._factor = make_gram(X, X_test, self._block), factor
            return self._gram.scaled((factor / self._factor) ** 2)


class ScaledData:
    """A data set scaled one way, shared read-only by every run on it.

    Unpacks like the tuple :func:`scale_dataset` used to return:
    ``scaler, X, X_test = scaled``.

    Parameters
    ----------
    scaler : Scaler
        Fitted on the training images.
    X : ndarray of shape (n_features, m), dtype float64
    X_test : ndarray of shape (n_features, m_test), dtype float64
    kernel_cell : object or None, default None
        Shared with other scalings of the same pixels (raw and / 255), whose
        K differ only by a constant factor; None gives this scaling its own.
    """

    #: Trajectories one scaling keeps (the least recently asked for goes first).
    MAX_TRAJECTORIES = 4

    def __init__(
        self, scaler: Scaler, X: np.ndarray, X_test: np.ndarray, kernel_cell: _KernelCell | None = None
    ) -> None:
        X.flags.writeable = False
        X_test.flags.writeable = False
        self.scaler, self.X, self.X_test = scaler, X, X_test
        self._cell = kernel_cell if kernel_cell is not None else _KernelCell()
        self._trajectory_lock = threading.Lock()
        self._trajectories: dict[tuple[TrainSettings, bytes, bytes | None], Trajectory] = {}

    def __iter__(self) -> Iterator[object]:
        return iter((self.scaler, self.X, self.X_test))

    @property
    def nbytes(self) -> int:
        """Bytes held by the scaled arrays (kernels not counted)."""
        return int(self.X.nbytes + self.X_test.nbytes)

    def gram(self) -> Gram:
        """K = XᵀX and X_testᵀX for this scaling, made on first use (thread-safe) and shared."""
        return self._cell.gram_for(self.X, self.X_test, PIXEL_FACTORS.get(self.scaler.kind, 1.0))

    def trajectory(self, settings: TrainSettings, Y: ArrayLike, Y_test: ArrayLike | None = None) -> Trajectory:
        """The trajectory every kernel-form run on this scaling with these labels and settings shares.

        The first run to get somewhere records it, the others jump there with the same numbers
        (:mod:`logreg_core.trajectory`); at most :attr:`MAX_TRAJECTORIES` are kept.

        Parameters
        ----------
        settings : TrainSettings
        Y : array_like of shape (m,)
        Y_test : array_like of shape (m_test,) or None, default None
        """
        y = np.asarray(Y, dtype=np.float64).reshape(-1)
        y_test = None if Y_test is None else np.asarray(Y_test, dtype=np.float64).reshape(-1)
        key = (settings, y.tobytes(), None if y_test is None else y_test.tobytes())
        gram = self.gram()
        with self._trajectory_lock:
            found = self._trajectories.pop(key, None)
            if found is None:
                found = Trajectory(gram.K, gram.factor, settings, y, y_test)
            self._trajectories[key] = found  # the most recent last
            while len(self._trajectories) > self.MAX_TRAJECTORIES:
                del self._trajectories[next(iter(self._trajectories))]
        return found


def scale_dataset(dataset: Dataset, scaling: str, kernel_cell: _KernelCell | None = None) -> ScaledData:
    """Fit a scaling on the training images and apply it to both splits.

    Each split is scaled in one pass into one float64 array (9 bytes per
    pixel at the peak with the uint8 images).

    Parameters
    ----------
    dataset : Dataset
    scaling : {"none", "255", "zscore"}
    kernel_cell : object or None, default None
        See :class:`ScaledData`.

    Returns
    -------
    scaled : ScaledData
        Unpacks as ``scaler, X, X_test``: the scaler fitted on
        ``dataset.train_x`` only, X of shape (n_features, m_train) and
        X_test of shape (n_features, m_test), both float64 and read-only.
    """
    scaler = fit_scaler(scaling, flatten(dataset.train_x))
    return ScaledData(scaler, scale_images(dataset.train_x, scaler), scale_images(dataset.test_x, scaler), kernel_cell)


class PreparedDataset:
    """Everything runs on one data set can share: a :class:`ScaledData` per scaling, made on first use.

    Raw pixels and pixels / 255 share one K (up to 255²); z-score has its own.
    Thread-safe: concurrent sessions asking for one scaling wait for one copy,
    while other scalings are made at the same time.

    Parameters
    ----------
    dataset : Dataset
    block : int, None or mapping of str to int or None, default None
        Rows per block of the kernels' products (:attr:`Gram.block`): one for
        all, or per scaling ("none" and "255" share theirs, given as "none").
        With two threads stepping (:func:`logreg_core.training.step_together`),
        ``{"zscore": 0}`` computes z-score's K @ v in one BLAS call, which holds
        no lock while the other thread runs the blocked products.
    """

    def __init__(self, dataset: Dataset, block: int | Mapping[str, int | None] | None = None) -> None:
        self.dataset = dataset
        self._lock = threading.Lock()
        self._scaled: dict[str, ScaledData] = {}
        self._making = {kind: threading.Lock() for kind in SCALINGS}
        blocks = dict(block) if isinstance(block, Mapping) else dict.fromkeys(SCALINGS, block)
        unknown = sorted(set(blocks) - set(SCALINGS))
        if unknown:
            raise ValueError(f"block must name scalings among {', '.join(SCALINGS)}; got {unknown}")
        self._blocks: dict[str, int | None] = {kind: blocks.get(kind) for kind in SCALINGS}
        self._pixel_cell = _KernelCell(self._blocks["none"])

    def scaled(self, scaling: str) -> ScaledData:
        """The data set scaled with ``scaling`` (made once).

        Parameters
        ----------
        scaling : {"none", "255", "zscore"}

        Returns
        -------
        scaled : ScaledData
        """
        if scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}; got {scaling!r}")
        with self._making[scaling]:
            with self._lock:
                if scaling in self._scaled:
                    return self._scaled[scaling]
            cell = self._pixel_cell if scaling in PIXEL_FACTORS else _KernelCell(self._blocks[scaling])
            made = scale_dataset(self.dataset, scaling, cell)
            with self._lock:
                self._scaled[scaling] = made
            return made

    def prepare(self, scalings: Sequence[str], threads: int = 1, kernels: bool = True) -> dict[str, ScaledData]:
        """Make the scaled arrays (and kernels) of several scalings, with up to ``threads`` at once.

        Scalings that share a K are made on one thread, the K once; the others
        run alongside (NumPy and BLAS release the GIL). Give ``threads > 1``
        only when that many cores are free; BLAS should then use one thread.

        Parameters
        ----------
        scalings : sequence of {"none", "255", "zscore"}
        threads : int, default 1
        kernels : bool, default True
            Also make each scaling's :meth:`ScaledData.gram`.

        Returns
        -------
        scaled : dict of str to ScaledData
        """
        threads = check_positive_int("threads", threads)
        for kind in scalings:
            if kind not in SCALINGS:
                raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}; got {kind!r}")
        kinds = list(dict.fromkeys(scalings))
        # One task per K: the pixel multiples together (raw first: its K is exact integers), each other alone.
        pixel = sorted((k for k in kinds if k in PIXEL_FACTORS), key=lambda k: PIXEL_FACTORS[k], reverse=True)
        tasks = ([pixel] if pixel else []) + [[k] for k in kinds if k not in PIXEL_FACTORS]

        def make(group: list[str]) -> None:
            for kind in group:
                scaled = self.scaled(kind)
                if kernels:
                    scaled.gram()

        if threads > 1 and len(tasks) > 1:
            with ThreadPoolExecutor(max_workers=min(threads, len(tasks)), thread_name_prefix="prepare") as pool:
                for f in [pool.submit(make, group) for group in tasks]:
                    f.result()
        else:
            for group in tasks:
                make(group)
        return {kind: self.scaled(kind) for kind in kinds}

    @property
    def nbytes(self) -> int:
        """Bytes held by the scaled arrays made so far."""
        with self._lock:
            return sum(s.nbytes for s in self._scaled.values())


def start_training(
    dataset: Dataset,
    settings: TrainSettings,
    scaled: ScaledData | tuple[Scaler, np.ndarray, np.ndarray] | None = None,
    follow: bool = True,
) -> tuple[GradientDescent, Scaler]:
    """Prepare a gradient-descent run on a data set, not yet stepped.

    Parameters
    ----------
    dataset : Dataset
    settings : TrainSettings
    scaled : ScaledData, tuple or None, default None
        ``scale_dataset(dataset, settings.scaling)`` if already made: runs
        that share a scaling then share one copy of the scaled data, and with
        a :class:`ScaledData` also its kernels. A plain ``(scaler, X, X_test)``
        tuple still works.
    follow : bool, default True
        With a :class:`ScaledData` and the kernel form: share the trajectory of
        the runs with the same labels and settings (:meth:`ScaledData.trajectory`),
        so the same run is computed once however many start it.

    Returns
    -------
    run : GradientDescent
    scaler : Scaler
        Fitted on ``dataset.train_x`` only.
    """
    if not isinstance(settings, TrainSettings):
        raise ValueError(f"settings must be a TrainSettings; got {type(settings).__name__}")
    if scaled is None:
        scaled = scale_dataset(dataset, settings.scaling)
    scaler, X, X_test = scaled
    if not isinstance(scaler, Scaler) or scaler.kind != settings.scaling:
        kind = getattr(scaler, "kind", type(scaler).__name__)
        raise ValueError(f"the data was scaled with {kind!r}; the settings ask for {settings.scaling!r}")
    X, X_test = np.asarray(X), np.asarray(X_test)
    gram, trajectory = None, None
    if isinstance(scaled, ScaledData) and choose_method(settings.method, *X.shape) == "kernel":
        gram = scaled.gram()
        if follow:
            trajectory = scaled.trajectory(settings, dataset.train_y, dataset.test_y)
    run = GradientDescent(X, dataset.train_y, settings, X_test, dataset.test_y, gram=gram, trajectory=trajectory)
    return run, scaler


def model_from_run(run: GradientDescent, scaler: Scaler, dataset: Dataset, snapshot: Snapshot | None = None) -> Model:
    """Freeze a run (or one of its snapshots) into a :class:`Model`.

    Parameters
    ----------
    run : GradientDescent
    scaler : Scaler
    dataset : Dataset
    snapshot : Snapshot or None, default None (the run's current parameters)

    Returns
    -------
    model : Model
    """
    if snapshot is None:
        w, b = run.w, run.b
    else:
        w, b = snapshot.w, snapshot.b
    return Model(w, b, scaler, dataset.image_shape, dataset.classes, run.settings, np.array(run.costs))


def fit(
    dataset: Dataset, settings: TrainSettings | None = None, prepared: PreparedDataset | None = None
) -> tuple[Model, GradientDescent]:
    """Train to the end on a data set.

    Parameters
    ----------
    dataset : Dataset
    settings : TrainSettings or None, default None (course defaults)
    prepared : PreparedDataset or None, default None
        Shared scaled arrays and kernels of ``dataset``, if already made.

    Returns
    -------
    model : Model
    run : GradientDescent
        With the cost history and snapshots.
    """
    settings = settings or TrainSettings()
    scaled = prepared.scaled(settings.scaling) if prepared is not None else None
    run, scaler = start_training(dataset, settings, scaled)
    run.run()
    return model_from_run(run, scaler, dataset), run
