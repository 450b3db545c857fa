"""``python -m logreg_core``: see :mod:`logreg_core.cli`."""

import sys

from .cli import main

sys.exit(main())
