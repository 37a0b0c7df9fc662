"""``python -m rejectlens.cli``: the same command line as the ``rejectlens`` script."""

import sys

from .app import main

sys.exit(main())
