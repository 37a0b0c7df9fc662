"""scripts/import_graph.py finds cycles, package-__init__ imports and long modules."""

import importlib.util
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _package(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / "rejectlens" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_finds_what_the_targets_count(graph, tmp_path):
    src = _package(tmp_path, {
        "__init__.py": "__version__ = '1'\n",
        "a.py": "from .b import x\n",
        "b.py": "x = 1\ndef f():\n    from .c import y\n",
        "c.py": "from . import a\ny = 2\n",                       # a -> b -> c -> a (one lazy edge)
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .e import z\n",
        "e.py": "from .d import *\nz = 3\n",                         # d -> e only for typing: no cycle
        "f.py": "def g():\n    from . import __version__\n" + "#\n" * 20,   # reads the package __init__
        "sub/__init__.py": "from .m import k\n",
        "sub/m.py": "from .. import a\nk = 1\n",
    })
    r = graph.report(src, limit=10)
    assert r["cycles"] == [["rejectlens.a", "rejectlens.b", "rejectlens.c", "rejectlens.a"]]
    assert r["cycle_groups"] == [["rejectlens.a", "rejectlens.b", "rejectlens.c"]]
    assert r["top_level_cycles"] == []  # b imports c inside a function
    assert [e["module"] for e in r["init_importers"]] == ["rejectlens.f"]
    assert r["over_limit"] == [{"module": "rejectlens.f", "lines": 22}]


def test_runs_on_the_real_package():
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_graph.py")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "import cycles" in out.stdout and "modules over 350 lines" in out.stdout
