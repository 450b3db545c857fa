"""Run ``python -m logreg_core`` as a user does, for the CLI tests."""

import os
import subprocess
import sys

from paths import ROOT


def cli(*args, env_dir=None, cwd=ROOT, timeout=120):
    """Run the CLI in a child process (``LOGREG_DATA_DIR`` unset, or ``env_dir``); no traceback may reach stderr.

    Returns
    -------
    result : subprocess.CompletedProcess
        With text ``stdout`` and ``stderr``.
    """
    env = dict(os.environ)
    env.pop("LOGREG_DATA_DIR", None)
    if env_dir is not None:
        env["LOGREG_DATA_DIR"] = str(env_dir)
    result = subprocess.run(
        [sys.executable, "-m", "logreg_core", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in result.stderr
    return result
