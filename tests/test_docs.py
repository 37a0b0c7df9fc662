"""The README's Python examples and the docstring examples run as written."""

import doctest
import importlib
import re

import pytest

import rejectlens
from tests.conftest import ROOT


def readme_blocks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    # blocks marked <!-- test: ecosystem --> run in tests/test_readme_examples.py
    return re.findall(r"(?<!<!-- test: ecosystem -->\n)```python\n(.*?)```", text, flags=re.S)


def test_readme_has_python_examples():
    assert readme_blocks()


@pytest.mark.parametrize("block", readme_blocks())
def test_readme_example_runs(block):
    exec(compile(block, "README.md", "exec"), {})


@pytest.mark.parametrize("name", ["rejectlens", "rejectlens.api", "rejectlens.training", "rejectlens.readers",
                                  "rejectlens.retraining"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_labeling_guide_is_in_the_docs():
    guide = (ROOT / "docs" / "labeling-guide.md").read_text(encoding="utf-8")
    for label in rejectlens.REASONS:
        assert f"`{label}`" in guide
