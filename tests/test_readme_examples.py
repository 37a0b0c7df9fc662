"""The README's scikit-learn, spaCy and pandas examples run and do what they say.

They are the fenced Python blocks right after a ``<!-- test: ecosystem -->``
line in README.md; tests/test_docs.py runs every other Python block.
"""

import contextlib
import io
import re

import pytest

from tests.conftest import ROOT

MARKER = "<!-- test: ecosystem -->"


def ecosystem_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(re.escape(MARKER) + r"\n```python\n(.*?)```", text, flags=re.S)


def _run(block: str) -> tuple[dict, str]:
    ns: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), ns)
    return ns, out.getvalue()


def _block(word: str) -> str:
    found = [b for b in ecosystem_blocks() if word in b]
    assert len(found) == 1, f"expected one marked README block using {word!r}; found {len(found)}"
    return found[0]


def test_every_marker_is_followed_by_a_python_block():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(MARKER) == len(ecosystem_blocks()) == 3


def test_scikit_learn_example():
    ns, out = _run(_block("RejectionClassifier"))
    assert len(ns["scores"]) == 3 and ns["scores"].min() > 0.8
    assert re.fullmatch(r"accuracy 0\.\d{3} \+/- 0\.\d{3}\n", out)


def test_spacy_example():
    ns, out = _run(_block("add_pipe"))
    pred = ns["doc"]._.rejection
    assert pred.is_rejection and "other_candidates" in pred.reasons
    labels = [s.label_ for s in ns["doc"].spans["rejectlens"]]
    assert "decision" in labels and "other_candidates" in labels
    assert out.splitlines()[0] == f"True {pred.reasons}"
    assert "decision: Unfortunately we have decided to move forward with other candidates." in out


def test_pandas_example():
    ns, out = _run(_block("keep=True"))
    df, result = ns["df"], ns["out"]
    assert result.index.equals(df.index)
    assert result.columns[: len(df.columns)].tolist() == df.columns.tolist()
    assert result["subject"].tolist() == df["subject"].tolist()
    assert result["id"].tolist() == df["message_id"].tolist()
    assert "is_rejection" in out and len(out.splitlines()) == 6  # header + head()


@pytest.mark.parametrize("word", ["RejectionClassifier", "add_pipe", "keep=True"])
def test_docs_suite_does_not_run_the_marked_blocks_twice(word):
    from tests.test_docs import readme_blocks

    assert _block(word) not in readme_blocks()
