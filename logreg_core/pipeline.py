"""From a data set to a trained model, and from a model to predictions on images.

A :class:`Model` keeps everything needed to treat a new photo exactly like the
training data: the fitted scaling, the image shape and the class names.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .images import MAX_SIZE as MAX_SIDE
from .model import accuracy, predict_proba
from .preprocess import Scaler, fit_scaler, flatten, unflatten
from .settings import TrainSettings
from .training import GradientDescent

__all__ = ["Model", "Mistakes", "find_mistakes", "scale_dataset", "start_training", "model_from_run", "fit"]


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
    image_shape: tuple
    classes: tuple
    settings: TrainSettings
    costs: np.ndarray

    def __post_init__(self):
        shape = tuple(self.image_shape)
        if (len(shape) != 3 or not all(isinstance(d, (int, np.integer)) for d in shape)
                or shape[2] != 3 or not all(1 <= d <= MAX_SIDE for d in shape[:2])):
            raise ValueError(f"image shape must be (height, width, 3) with sides from 1 to {MAX_SIDE}; "
                             f"got {shape}")
        w = np.asarray(self.w, dtype=np.float64).reshape(-1)
        if w.size != int(np.prod(self.image_shape)):
            raise ValueError(f"w has {w.size} weights but images of shape {tuple(self.image_shape)} "
                             f"have {int(np.prod(self.image_shape))} pixels")
        if not (np.all(np.isfinite(w)) and np.isfinite(self.b)):
            raise ValueError("w and b must be finite")
        if len(self.classes) != 2:
            raise ValueError(f"a model needs 2 class names; got {list(self.classes)}")
        object.__setattr__(self, "w", w)
        object.__setattr__(self, "b", float(self.b))
        object.__setattr__(self, "image_shape", tuple(int(d) for d in self.image_shape))
        object.__setattr__(self, "classes", tuple(str(c) for c in self.classes))
        object.__setattr__(self, "costs", np.asarray(self.costs, dtype=np.float64).reshape(-1))

    def _columns(self, images):
        images = np.asarray(images)
        if images.shape == self.image_shape:
            images = images[None]
        if images.ndim != 4 or images.shape[1:] != self.image_shape:
            raise ValueError(f"expected images of shape (k, {', '.join(map(str, self.image_shape))}); "
                             f"got {images.shape}")
        return self.scaler.transform(flatten(images))     # (n_features, k)

    def predict_proba_images(self, images):
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

    def predict_images(self, images):
        """Labels 0/1 for each image, 1 where P(label 1) > the model's threshold.

        Returns
        -------
        labels : ndarray of shape (k,), dtype int64
        """
        return (self.predict_proba_images(images) > self.settings.threshold).astype(np.int64)

    def contributions(self, image):
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
    def weight_image(self):
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


def find_mistakes(model, images, labels):
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
    return Mistakes(p, accuracy(predicted, labels),
                    fp[np.argsort(-p[fp], kind="stable")], fn[np.argsort(p[fn], kind="stable")])


def scale_dataset(dataset, scaling):
    """Fit a scaling on the training images and apply it to both splits.

    Parameters
    ----------
    dataset : Dataset
    scaling : {"none", "255", "zscore"}

    Returns
    -------
    scaler : Scaler
        Fitted on ``dataset.train_x`` only.
    X : ndarray of shape (n_features, m_train), dtype float64
    X_test : ndarray of shape (n_features, m_test), dtype float64
    """
    X = flatten(dataset.train_x)                      # (n_features, m_train)
    scaler = fit_scaler(scaling, X)
    return scaler, scaler.transform(X), scaler.transform(flatten(dataset.test_x))


def start_training(dataset, settings, scaled=None):
    """Prepare a gradient-descent run on a data set, not yet stepped.

    Parameters
    ----------
    dataset : Dataset
    settings : TrainSettings
    scaled : tuple or None, default None
        ``scale_dataset(dataset, settings.scaling)`` if already made: runs
        that share a scaling then share one copy of the scaled data.

    Returns
    -------
    run : GradientDescent
    scaler : Scaler
        Fitted on ``dataset.train_x`` only.
    """
    if not isinstance(settings, TrainSettings):
        raise ValueError(f"settings must be a TrainSettings; got {type(settings).__name__}")
    scaler, X, X_test = scaled if scaled is not None else scale_dataset(dataset, settings.scaling)
    if scaler.kind != settings.scaling:
        raise ValueError(f"the data was scaled with {scaler.kind!r}; the settings ask for {settings.scaling!r}")
    run = GradientDescent(X, dataset.train_y, settings, X_test, dataset.test_y)
    return run, scaler


def model_from_run(run, scaler, dataset, snapshot=None):
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


def fit(dataset, settings=None):
    """Train to the end on a data set.

    Parameters
    ----------
    dataset : Dataset
    settings : TrainSettings or None, default None (course defaults)

    Returns
    -------
    model : Model
    run : GradientDescent
        With the cost history and snapshots.
    """
    run, scaler = start_training(dataset, settings or TrainSettings())
    run.run()
    return model_from_run(run, scaler, dataset), run
