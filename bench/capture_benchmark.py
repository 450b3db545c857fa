"""How long one photo takes on the server when a class builds its data set on the Capture page.

Run from the repository root::

    python -m bench.capture_benchmark [--repeat 15]

Rows, each against a baseline measured in the same process (Pillow only
decoding the same JPEG), so the table shows ratios; the 0.5 s target per
capture is informational (exit status 0 either way):

1. baseline: ``Image.open(jpeg).load()``;
2. ``logreg_core.capture.capture_photo``: decode, upright, crop, resize to 64×64 (what a capture stores);
3. a whole script run of the Capture page after a camera photo (AppTest: dashboard, sidebar, page,
   its ``st.rerun``, thumbnails of 20 photos per class already taken).

The photos are made in memory (webcam sizes 640×480 and 1280×720).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from logreg_core.capture import capture_photo

ROOT = Path(__file__).resolve().parent.parent

TARGET_MS = 500.0


def jpeg(width, height, seed=0):
    """A noisy photo-like JPEG (noise defeats compression, like a real camera frame)."""
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, width, dtype=np.float64)[None, :, None] * np.ones((height, 1, 3))
    pixels = np.clip(base + rng.normal(0, 30, (height, width, 3)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_run_ms(photo, repeat):
    """Median time of a Capture page run after one camera photo (AppTest, same process)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # stay in router mode, as the real server does
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        tiny = np.zeros((64, 64, 3), np.uint8)
        at.session_state["capture_photos"] = [[(i, tiny) for i in range(20)], [(100 + i, tiny) for i in range(20)]]
        at.session_state["capture_next_id"] = 1000
        at.run()
        at.switch_page("pages/capture.py")
        at.run()
        times = []
        for _ in range(repeat):
            at.camera_input[0].set_value(("shot.jpg", photo, "image/jpeg"))
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            if at.exception:
                raise RuntimeError(at.exception[0].value)
        return statistics.median(times)
    finally:
        PagesManager.__init__ = original


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time one capture on the server.")
    parser.add_argument("--repeat", type=int, default=15, help="measurements per row (median shown)")
    args = parser.parse_args(argv)
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")
    print(f"{'photo':>10}  {'step':<52} {'median ms':>10} {'× baseline':>11} {'< 500 ms':>9}")
    for width, height in ((640, 480), (1280, 720)):
        photo = jpeg(width, height)
        base = timed(lambda photo=photo: Image.open(io.BytesIO(photo)).load(), args.repeat)
        rows = [
            ("Pillow decode only (baseline)", base),
            (
                "capture_photo: decode, upright, crop, 64×64",
                timed(lambda photo=photo: capture_photo(photo, "shot.jpg", 0), args.repeat),
            ),
            ("Capture page run after a camera photo (AppTest)", page_run_ms(photo, max(3, args.repeat // 3))),
        ]
        for name, ms in rows:
            print(
                f"{f'{width}×{height}':>10}  {name:<52} {ms:>10.1f} {ms / base:>10.1f}× "
                f"{'yes' if ms < TARGET_MS else 'NO':>9}"
            )
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
