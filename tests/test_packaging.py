"""The bundled model ships in the wheel and loads from it; the code is lint-clean."""

import importlib.util
import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None and not os.environ.get("CI"), reason="ruff not installed"
)
def test_ruff_is_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_wheel_carries_the_default_model_and_loads_it(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("rejectlens-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "rejectlens/_default_model/manifest.json" in names
        assert "rejectlens/_default_model/model.skops" in names
        assert "rejectlens/resources/cues.json" in names
        assert "rejectlens/py.typed" in names  # type checkers read the package's own annotations
        z.extractall(tmp_path / "site")
    code = (
        "import rejectlens, pathlib;"
        "p = rejectlens.default_model_path();"
        "assert 'site' in str(p) and p.name == '_default_model', p;"
        "m = rejectlens.load();"
        "print(m.classify('Thank you for applying for the Data Analyst position at Acme. We regret to inform you that the position has been filled.').is_rejection)"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "True"


def test_python_dash_m_runs_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "rejectlens", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("rejectlens ")
