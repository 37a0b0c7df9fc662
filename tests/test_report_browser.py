"""report.html in a real browser: headless Chromium renders it without console errors.

Needs Debian's ``chromium`` (CI installs it through apt in .ci/run); skipped
where it is absent. Nothing is fetched: the page is a local file and the
flags switch off every background connection.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import rejectlens
from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless browser test needs Debian's chromium (/usr/bin/chromium): "
    "apt-get install chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def html(default_model, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report"
    rejectlens.report(ROOT / "tests" / "data" / "job_search.mbox", model=default_model, out=out)
    return out / "report.html"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_report_renders_on_a_phone_screen_without_console_errors(html, tmp_path):
    shot = tmp_path / "shot.png"
    run = chromium(tmp_path, "--window-size=412,1600", "--hide-scrollbars", f"--screenshot={shot}",
                   html.as_uri())
    assert shot.exists(), run.stderr[-2000:]
    assert console_lines(run.stderr) == []
    import matplotlib.pyplot as plt

    pixels = plt.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 400
    assert pixels[..., :3].std() > 0.05  # not a blank page
    dark = (pixels[..., :3].mean(axis=2) < 0.5).mean()
    assert dark > 0.01  # text and charts drawn


def test_report_script_runs(html, tmp_path):
    run = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert console_lines(run.stderr) == []
    assert 'data-ready="1"' in run.stdout
    assert "<table class=\"sortable\">" in run.stdout and "Job search report" in run.stdout
