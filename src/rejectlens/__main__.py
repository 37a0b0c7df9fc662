"""``python -m rejectlens``: the same command line as the ``rejectlens`` script."""

import sys

from .cli import main

sys.exit(main())
