"""Run one command: parse, hand the arguments to the command's module, turn errors into exit codes.

Exit codes: 0 success; 1 the command ran but some rows had errors (classify)
or the data check failed or train refused a worse model; 2 bad usage,
unreadable input or a worker process that died (one line on stderr, no
traceback); 130 Ctrl-C; 143 SIGTERM.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from ..errors import RejectLensError
from . import classify, data, evaluate, explain, report, show, suggest, train
from .common import EXIT_OK, EXIT_USAGE
from .parser import build_parser
from .render import error_line

__all__ = ["COMMANDS", "main"]

# One module per subcommand, each with run(args) -> exit code.
COMMANDS: dict[str, Callable[..., int]] = {
    "classify": classify.run,
    "explain": explain.run,
    "train": train.run,
    "evaluate": evaluate.run,
    "data": data.run,
    "show": show.run,
    "suggest": suggest.run,
    "report": report.run,
}


class Terminated(BaseException):
    """SIGTERM arrived (a timeout, systemd, docker stop): unwind like Ctrl-C."""


def _stop_on(error: type[BaseException]):
    def handler(signum, frame):
        import signal

        # The first signal unwinds; one more (a second Ctrl-C) is ignored, so
        # it cannot cut the cleanup short and leave a temporary file behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise error
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import signal
    import threading

    from ..writers import writes_utf8

    stdout, errors = sys.stdout, getattr(sys.stdout, "errors", None)
    if writes_utf8(stdout) or not hasattr(stdout, "reconfigure"):
        errors = None
    else:
        # A terminal that is not UTF-8 (LC_ALL=C, a Windows console) shows what
        # it cannot print as \xfc escapes instead of failing with a traceback.
        stdout.reconfigure(errors="backslashreplace")
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM unwinds like Ctrl-C, so the output's temporary file is removed.
        previous = (signal.signal(signal.SIGTERM, _stop_on(Terminated)),
                    signal.signal(signal.SIGINT, _stop_on(KeyboardInterrupt)))
    try:
        return _run(args)
    except Terminated:
        print("rejectlens: terminated", file=sys.stderr)
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous[0])
            signal.signal(signal.SIGINT, previous[1])
        if errors is not None:  # a caller's stream (main() run from Python) is left as it was
            stdout.reconfigure(errors=errors)


def _run(args) -> int:
    try:
        handler = COMMANDS[args.command]
        return handler(args)
    except BrokenPipeError:
        # `rejectlens ... | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (RejectLensError, OSError) as err:
        print(error_line(err), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rejectlens: interrupted", file=sys.stderr)
        return 130

