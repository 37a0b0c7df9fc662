"""Load the project corpus: ``data/written`` and ``data/composed`` records with their decision marks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..records import read_records
from .splits import split_records

__all__ = ["bundled_corpus", "load_corpus"]


def load_corpus(data_dir: str | Path) -> list[dict[str, Any]]:
    """All records under ``data_dir/written`` and ``data_dir/composed``, in file order."""
    data_dir = Path(data_dir)
    files = sorted((data_dir / "written").glob("*.jsonl")) + sorted(
        (data_dir / "composed").glob("*.jsonl")
    )
    if not files:
        raise DataError(
            f"no corpus found: expected JSONL files in {data_dir}/written/ (and optionally "
            f"{data_dir}/composed/)"
        )
    out: list[dict[str, Any]] = []
    for f in files:
        for rec in read_records(f):
            rec.setdefault("_file", f.name)
            out.append(rec)
    marks = _decision_marks(data_dir)
    for rec in out:
        if rec.get("id") in marks and "decision" not in rec:
            rec["decision"] = marks[rec["id"]]
    return out


def _decision_marks(data_dir: Path) -> dict[str, list[str]]:
    """Marked decision sentences (``data/decisions/*.jsonl``): id -> sentences."""
    marks: dict[str, list[str]] = {}
    where: dict[str, str] = {}
    for f in sorted((data_dir / "decisions").glob("*.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                rid, sentences = str(d["id"]), [str(x) for x in d["decision"]]
            except (ValueError, KeyError, TypeError) as err:
                raise DataError(f"{f}:{n}: expected {{\"id\": ..., \"decision\": [...]}}; {err}") from None
            if rid in marks:  # which one would training use? neither, silently
                raise DataError(f"{f}:{n}: expected one mark per id; {rid!r} is marked again "
                                f"(first at {where[rid]})")
            marks[rid], where[rid] = sentences, f"{f.name}:{n}"
    return marks


def bundled_corpus() -> list[dict[str, Any]]:
    """The train and dev splits of the project corpus shipped with the package."""
    from importlib import resources

    packaged = Path(str(resources.files("rejectlens"))) / "_corpus"
    source_tree = Path(__file__).resolve().parents[3] / "data"
    for d in (packaged, source_tree):
        if (d / "written").is_dir():
            corpus = load_corpus(d)
            return [
                {k: v for k, v in r.items() if not k.startswith("_")}
                for r in split_records(corpus, "train") + split_records(corpus, "dev")
            ]
    raise DataError(f"the bundled corpus was not found (looked in {packaged} and {source_tree})")
