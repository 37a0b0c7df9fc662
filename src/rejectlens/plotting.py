"""matplotlib, imported on first use and headless, for every chart the package draws."""

from __future__ import annotations

from .errors import MissingDependencyError


def pyplot(purpose: str):
    """``matplotlib.pyplot`` with the Agg backend; a clear error naming the
    ``report`` extra when matplotlib is missing. ``purpose`` completes the
    error's sentence ("Writing report plots ...")."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: no display on servers and CI
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("matplotlib", "report", purpose) from None
    return plt
