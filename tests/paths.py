"""Where tests find the project and the real data set (``../shared/data`` beside the repo)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
REAL_TRAIN = SHARED_DATA / "train_catvnoncat.h5"
REAL_TEST = SHARED_DATA / "test_catvnoncat.h5"

needs_real_data = pytest.mark.skipif(
    not (REAL_TRAIN.is_file() and REAL_TEST.is_file()),
    reason="the real cat/non-cat files are not in ../shared/data beside the repository",
)
