"""Command line: thin commands that parse arguments, check paths and call the library.

``rejectlens`` (the console script) and ``python -m rejectlens`` run
:func:`main`. Layout: :mod:`.parser` builds the one argument parser;
:mod:`.app` runs a command and maps errors to exit codes; one module per
command (:mod:`.classify`, :mod:`.explain`, :mod:`.show`, :mod:`.suggest`,
:mod:`.report`, :mod:`.train`, :mod:`.evaluate`, :mod:`.data`), each a
``run(args)``; :mod:`.render` holds every text printed about a result.

Exit codes: 0 success; 1 the command ran but some rows had errors (classify)
or the data check failed or train refused a worse model; 2 bad usage,
unreadable input or a worker process that died (one line on stderr, no
traceback); 130 Ctrl-C; 143 SIGTERM.
"""

from .app import main
from .common import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE
from .render import render_explanation, render_table

__all__ = ["EXIT_OK", "EXIT_ROW_ERRORS", "EXIT_USAGE", "main", "render_explanation", "render_table"]
