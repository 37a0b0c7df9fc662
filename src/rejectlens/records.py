"""Labelled records: read them from JSONL, CSV/TSV or Parquet, and check their labels.

A sheet's cells are text (``true``/``1``/``yes``, reasons joined by ``;``, an
empty cell for "not labelled"); :func:`read_records` turns them into the
values of the label schema, and :func:`validate_labels` checks the values
against that schema as :func:`rejectlens.labels.schema` states it.
The project's own corpus (folders, splits, coverage) is :mod:`rejectlens.corpus`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

from .clean import has_text
from .errors import DataError
from .ingest import is_missing
from .labels import BOOL_FIELDS, GUESS_SUFFIX, LABEL_FIELDS, REASONS, REJECTION_ONLY, schema
from .prediction import OUTPUT_FIELDS

__all__ = ["NO_REASON", "as_records", "data_hash", "missing_as_none", "misspelt_labels", "read_records",
           "refuse_misspelt_labels", "validate_labels"]

# A reasons cell holding this word: a rejection that states no reason.
NO_REASON = "none"
# The one label holding several values (a list drawn from its schema entry).
_LIST_FIELDS = ("reasons",)
# Labels whose value is one word of a list (personalization, stage).
_CHOICE_FIELDS = tuple(k for k in LABEL_FIELDS if k not in BOOL_FIELDS and k not in _LIST_FIELDS)
_CHOICES = {k: tuple(schema()[k]) for k in _CHOICE_FIELDS}


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Read labeled or unlabeled records from a JSONL, CSV/TSV or Parquet file.

    Spreadsheet cells are text: ``true``/``1``/``yes`` for booleans, reasons
    separated by ``;`` (or a JSON list), and an empty cell means "not labelled".
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"expected a .jsonl, .csv or .parquet file; {path} does not exist or is not a file"
        )
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        out = []
        with path.open(encoding="utf-8-sig") as f:
            text = f.read()
        if text.lstrip().startswith("["):  # one JSON array, as `classify` also reads
            try:
                items = json.loads(text)
            except ValueError as err:
                raise DataError(f"{path}: not a valid JSON array ({err})") from None
            lines = [(n, item) for n, item in enumerate(items, 1)]
            what = "item"
        else:
            lines = []
            for n, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 may sit in a string
                if not line.strip():
                    continue
                try:
                    lines.append((n, json.loads(line)))
                except ValueError as err:
                    raise DataError(f"{path} line {n}: not valid JSON ({err})") from None
            what = "line"
        for n, rec in lines:
            if not isinstance(rec, dict):
                raise DataError(f"{path} {what} {n}: expected a JSON object, found {type(rec).__name__}")
            # the sheet's spellings count here too: "yes", 1, "Generic"
            _coerce_csv_labels(rec, f"{path} {what} {n}", only_text=True)
            out.append(rec)
        return out
    if suffix in (".csv", ".tsv"):
        from .errors import InputError
        from .readers import csv_rows
        from .writers import unneutralise_cell

        records = []
        try:
            for where, rec, error in csv_rows(path, "\t" if suffix == ".tsv" else ",", _READ_COLUMNS):
                if error is not None:
                    raise DataError(error)
                if not any(v.strip() for v in rec.values()):
                    continue  # a row of empty cells (";;;;" Excel leaves under a sheet) holds nothing
                # Undo the ' that our CSV writers put before formula-like cells.
                rec = {k: unneutralise_cell(v) for k, v in rec.items()}
                _coerce_csv_labels(rec, where)
                records.append(rec)
        except InputError as err:
            raise DataError(str(err)) from None
        return records
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            from .errors import MissingDependencyError

            raise MissingDependencyError("pyarrow", "parquet", "Reading Parquet files") from None
        import pandas as pd

        records = pd.read_parquet(path).to_dict("records")
        for n, rec in enumerate(records, 1):
            for key, value in list(rec.items()):
                if hasattr(value, "tolist"):  # numpy arrays from list columns
                    rec[key] = value.tolist()
                elif isinstance(value, float) and value != value:
                    rec[key] = None
            _coerce_csv_labels(rec, f"{path} row {n}", only_text=True)
        return records
    raise DataError(
        f"{path}: unknown file type '{suffix}'; expected .jsonl, .json, .csv, .tsv or .parquet"
    )


# The columns a labelled sheet is read for: one named twice would be read from its last copy.
_READ_COLUMNS = frozenset({"id", "body", "html", "subject", "sender", "thread", "group", *LABEL_FIELDS})


def _coerce_csv_labels(rec: dict[str, Any], where: str, only_text: bool = False) -> None:
    # Spreadsheet cells are text: "true"/"1", "a;b" or a JSON list for reasons,
    # and an empty cell means "not labelled".
    text_keys = {k for k, v in rec.items() if isinstance(v, str)} if only_text else set(rec)
    for key in BOOL_FIELDS:
        v = rec.get(key)
        if isinstance(v, (Integral, float)) and not isinstance(v, bool) and v in (0, 1):
            rec[key] = bool(v)  # 1 / 0 in JSON, a numeric Parquet or DataFrame column (1.0 beside a gap)
        elif key in rec and key in text_keys:
            v = str(rec[key]).strip().lower()
            rec[key] = None if v == "" else {"true": True, "1": True, "yes": True,
                                             "false": False, "0": False, "no": False}.get(v, rec[key])
    for key in _CHOICE_FIELDS:
        if key in rec and key in text_keys:
            v = str(rec[key]).strip()
            rec[key] = None if v == "" else v.lower() if v.lower() in _CHOICES[key] else v
    if "reasons" in rec and "reasons" in text_keys:
        v = str(rec["reasons"]).strip()
        if v == "":
            rec["reasons"] = None
        elif v.lower() == NO_REASON:
            rec["reasons"] = []  # a rejection that gives no reason (empty = not labelled)
        elif v.startswith("["):
            try:
                rec["reasons"] = json.loads(v)
            except ValueError:
                raise DataError(
                    f"{where}: reasons cell {v!r} is not a JSON list; write it as "
                    '["a", "b"] or as a;b'
                ) from None
        else:
            rec["reasons"] = [p.strip() for p in v.replace(",", ";").split(";") if p.strip()]
        if isinstance(rec["reasons"], list):  # "Other_Candidates", as "Generic" is generic
            rec["reasons"] = [r.lower() if isinstance(r, str) and r.lower() in REASONS else r
                              for r in rec["reasons"]]


def missing_as_none(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` whose unlabelled fields (NaN from pandas, "") are None,
    numpy booleans plain ones and a tuple or array of reasons a list (what a
    label taken from an array or from ``Prediction.reasons`` holds)."""
    out = dict(record)
    for key in LABEL_FIELDS:
        v = out.get(key)
        if isinstance(v, str):
            if v == "":  # np.str_ too: a label column taken from an array
                out[key] = None
            elif type(v) is not str:
                out[key] = str(v)
        elif v is None or type(v) in (bool, list):
            pass
        elif is_missing(v):  # NaN, numpy NaN, pandas NA
            out[key] = None
        elif getattr(v, "shape", None) == () and getattr(getattr(v, "dtype", None), "kind", "") == "b":
            out[key] = bool(v)
        elif key in _LIST_FIELDS and (isinstance(v, tuple) or getattr(v, "ndim", None) == 1):
            out[key] = list(v.tolist() if hasattr(v, "tolist") else v)
    if isinstance(out.get("reasons"), list):  # "Other_Candidates" in a JSON list too, as in a sheet
        out["reasons"] = [r.lower() if isinstance(r, str) and r.lower() in REASONS else r
                          for r in out["reasons"]]
    return out


def _label_rule(key: str, spec: Any) -> tuple[Callable[[Any], bool], str]:
    """(is this value allowed, what is expected) for one field of the label schema."""
    if spec == "bool":
        return (lambda v: isinstance(v, bool)), "true or false"
    if key in _LIST_FIELDS:
        allowed = tuple(spec)
        return (lambda v: isinstance(v, list) and all(r in allowed for r in v)), (
            "a list drawn from " + ", ".join(allowed)
            + f" (in a sheet: separated by ;, or {NO_REASON} for a rejection without reasons)")
    allowed = tuple(spec)
    return (lambda v: v in allowed), " | ".join(allowed)


def as_records(records: Any) -> list[dict[str, Any]]:
    """Rows to train or evaluate on: mappings, or a pandas DataFrame (one row each)."""
    frame = hasattr(records, "to_dict") and hasattr(records, "columns")
    if frame:
        records = records.to_dict("records")
    out = []
    for n, r in enumerate(records, 1):
        if not isinstance(r, Mapping):
            raise DataError(f"row {n}: expected a mapping of column -> value (or a DataFrame); "
                            f"found {type(r).__name__}")
        rec = missing_as_none(r)  # a DataFrame's NaN is "not labelled"
        if frame:  # a sheet read by pandas holds the sheet's spellings: 0/1, "yes", "a;b"
            _coerce_csv_labels(rec, f"row {n}", only_text=True)
        out.append(rec)
    return out


def misspelt_labels(records: Iterable[Mapping[str, Any]]) -> str:
    """A hint naming columns that look like a label with a typo ("is_rejected",
    "Is_rejection "), for the error that says no label was found; "" when none
    does. suggest's guess columns are not typos."""
    near = _near_labels(records)
    empty = sorted({k for r in records for k in r if k in LABEL_FIELDS}
                   - {k for r in records for k, v in r.items() if k in LABEL_FIELDS and _filled(v)})
    hint = f" (label columns {', '.join(empty)} are there but empty)" if empty else ""
    return hint + "".join(f" (column {k!r} is not a label; did you mean {v!r}?)" for k, v in near.items())


def _near_labels(records: Iterable[Mapping[str, Any]], filled: bool = False) -> dict[str, str]:
    keys = {k for r in records for k, v in r.items()
            if isinstance(k, str) and (not filled or _filled(v))} - set(LABEL_FIELDS)
    return {k: m[0] for k in sorted(keys) if not _ours(k.strip().lower())
            and (m := difflib.get_close_matches(k.strip().lower(), LABEL_FIELDS, 1, 0.7))}


def _ours(name: str) -> bool:
    """A column rejectlens writes beside labels: suggest's guesses, an output
    field, or an input column classify_frame(keep=True) renamed ("is_rejection_input_2")."""
    return (name.endswith(GUESS_SUFFIX) or (name in OUTPUT_FIELDS and name not in LABEL_FIELDS)
            or ((m := re.fullmatch(r"(.+)_input(?:_\d+)?", name)) is not None and m[1] in OUTPUT_FIELDS))


def _filled(value: Any) -> bool:
    return not is_missing(value) and not (isinstance(value, str) and not value.strip())


def refuse_misspelt_labels(records: Sequence[Mapping[str, Any]], source: str = "the records") -> None:
    """Raise DataError when a column that holds values looks like a label with a
    typo: its labels would be dropped without a word."""
    near = _near_labels(records, filled=True)
    if near:
        raise DataError(f"{source}: " + "; ".join(
            f"column {k!r} is not a label, and its values would be ignored; did you mean {v!r}?"
            for k, v in near.items()) + " Rename the column, or remove it.")


_REJECTION_IS_JOB = "job_related of a rejection"
_NOT_A_REJECTION = "rejection-only labels"
_EXPECTED = {
    _NOT_A_REJECTION: "none on a non-rejection or non-job mail (personalization and stage empty, no "
                      "reasons, feedback_offered and reapply_encouraged false)",
    "id": "one set of labels per id",
    _REJECTION_IS_JOB: "true: every rejection is job mail (labeling guide, section 0)",
}


def _given(value: Any) -> bool:
    return not is_missing(value) and value not in (False, [], "")


def validate_labels(records: Sequence[Mapping[str, Any]], source: str = "the records") -> None:
    """Raise DataError listing every record whose labels fall outside the schema."""
    if records and not any("body" in r or "html" in r for r in records):
        found = ", ".join(dict.fromkeys(str(k) for r in records for k in r)) or "none"
        raise DataError(f"{source}: no body column (the email's text); columns found: {found}")
    spec = schema()
    rules = {key: _label_rule(key, spec[key]) for key in LABEL_FIELDS}
    bad: dict[str, list[str]] = {}
    seen: dict[str, tuple[str, ...]] = {}
    for n, rec in enumerate(records):
        # Name the row by its id and its place (row 1 = the first record, the
        # line under a sheet's header), so it can be found either way.
        rid = f"{rec['id']} (row {n + 1}" if rec.get("id") else f"row {n + 1} ("
        sep = ", " if rec.get("id") else ""
        body = rec.get("body")
        if not isinstance(body, str):
            bad.setdefault("body", []).append(f"{rid}{sep}found {type(body).__name__})")
        elif not has_text(body) and not has_text(str(rec.get("html") or "")):
            # classify refuses a body without a letter or digit ("never a guess"): nothing to learn either
            bad.setdefault("body", []).append(f"{rid}{sep}found {body[:20]!r})")
        for key in LABEL_FIELDS:
            v = rec.get(key)
            if is_missing(v):
                continue
            if not rules[key][0](v):
                bad.setdefault(key, []).append(f"{rid}{sep}found {v!r})")
        # Labels that contradict each other would teach a head the opposite of the guide.
        if rec.get("is_rejection") is True and rec.get("job_related") is False:
            bad.setdefault(_REJECTION_IS_JOB, []).append(f"{rid}{sep}found job_related false)")
        # Only job mail is ever a rejection, so mail labelled not job-related is not one either.
        if rec.get("is_rejection") is False or rec.get("job_related") is False:
            given = [k for k in REJECTION_ONLY if _given(rec.get(k))]
            if given:
                why = "" if rec.get("is_rejection") is False else " on mail labelled job_related false"
                bad.setdefault(_NOT_A_REJECTION, []).append(f"{rid}{sep}found {', '.join(given)}{why})")
        if rec.get("id"):
            labels = tuple(repr(rec.get(k)) for k in LABEL_FIELDS)
            if seen.setdefault(str(rec["id"]), labels) != labels:
                bad.setdefault("id", []).append(f"{rid}{sep}found the id again with other labels)")
    if bad:
        lines = [f"{source}: labels outside the schema:"]
        for key, rows in bad.items():
            expected = rules[key][1] if key in rules else _EXPECTED.get(key, "the email's text")
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            lines.append(f"  {key}: expected {expected}; offending: {', '.join(rows[:10])}{more}")
        raise DataError("\n".join(lines))


def data_hash(records: Iterable[Mapping[str, Any]]) -> str:
    """sha256 over the canonical JSON of the records (order matters)."""
    h = hashlib.sha256()
    for r in records:
        clean = {k: v for k, v in r.items() if not k.startswith("_")}
        h.update(json.dumps(clean, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()

