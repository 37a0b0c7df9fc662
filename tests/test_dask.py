"""Scale-out on Dask: the same rows as one process, none lost, the model loaded once per worker."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from rejectlens.cli import main
from rejectlens.errors import InputError, MissingDependencyError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

BODIES = [
    "Thank you for applying. We have decided to move forward with other candidates.",
    "Could you do a call on Tuesday at 3pm about the analyst role?",
    "Unfortunately the position has been filled. We will keep your CV on file for future roles.",
    "Your parcel is on its way and will arrive on Monday.",
]


def _frame(n: int = 48) -> pd.DataFrame:
    rows = [{"id": f"d{i}", "subject": "Your application", "sender": "jobs@acme.example",
             "body": BODIES[i % len(BODIES)] + f" Reference {i}."} for i in range(n)]
    rows[7]["body"] = "   "  # an error row, kept in its place
    rows[20]["id"] = None  # no id: a stable hash, as in one process
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    df = _frame()
    (d / "ds").mkdir()
    for k, start in enumerate(range(0, len(df), 16)):  # three files: three partitions
        df.iloc[start:start + 16].to_parquet(d / "ds" / f"p{k}.parquet", index=False)
    df.to_parquet(d / "one.parquet", index=False)
    return d


@pytest.fixture(scope="module")
def cluster():
    import rejectlens.dask

    with rejectlens.dask.local_cluster(2) as c:
        yield c


def _records(df: pd.DataFrame) -> list[dict]:
    return json.loads(df.to_json(orient="records"))


def test_classify_maps_the_model_over_partitions(default_model):
    import rejectlens.dask

    df = _frame()
    ddf = dd.from_pandas(df, npartitions=3)
    out = rejectlens.dask.classify(ddf, body="body")
    assert list(out.columns) == list(default_model.classify_frame(df.iloc[:1]).columns)
    got = out.compute(scheduler="sync")
    want = rejectlens.dask._typed(default_model.classify_frame(df))
    assert _records(got) == _records(want)
    assert got["error"].notna().sum() == 1 and got.loc[7, "error"].startswith("empty body")
    assert got["is_rejection"].tolist().count(True) >= 12


def test_classify_names_a_missing_body_column():
    import rejectlens.dask

    ddf = dd.from_pandas(pd.DataFrame({"text": ["x"]}), npartitions=1)
    with pytest.raises(InputError, match="body column 'body' not found; columns found: text"):
        rejectlens.dask.classify(ddf)
    with pytest.raises(InputError, match="not a model directory"):
        rejectlens.dask.classify(dd.from_pandas(_frame(), npartitions=1), model="/nonexistent")


def test_cli_dask_on_a_local_cluster_writes_the_rows_of_one_process(dataset, cluster, tmp_path, capsys):
    single = tmp_path / "single.parquet"
    assert main(["classify", str(dataset / "one.parquet"), "-o", str(single), "--quiet"]) == 1
    out = tmp_path / "preds"
    code = main(["classify", str(dataset / "ds"), "-o", str(out), "--dask", cluster.scheduler_address])
    err = capsys.readouterr().err
    assert code == 1 and "messages read: 48" in err and "rows with errors: 1" in err
    parts = sorted(out.glob("*.parquet"))
    assert [p.name for p in parts] == ["part.00000.parquet", "part.00001.parquet", "part.00002.parquet"]
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    got = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    want = pd.read_parquet(single)
    assert len(got) == len(want) == 48  # no row lost, none added
    assert _records(got) == _records(want)
    # the filters work as in one process
    only = tmp_path / "only"
    assert main(["classify", str(dataset / "ds"), "-o", str(only), "--dask", cluster.scheduler_address,
                 "--only-rejections", "--quiet"]) == 1
    kept = pd.concat([pd.read_parquet(p) for p in sorted(only.glob("*.parquet"))], ignore_index=True)
    assert _records(kept) == _records(want[want.is_rejection.fillna(True).astype(bool)].reset_index(drop=True))
    # an existing output folder is kept without --force
    code = main(["classify", str(dataset / "ds"), "-o", str(out), "--dask", cluster.scheduler_address])
    assert code == 2 and "exists; pass --force" in capsys.readouterr().err


def test_cli_dask_without_dask_names_the_extra(dataset, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    code = main(["classify", str(dataset / "ds"), "-o", str(tmp_path / "o"), "--dask"])
    err = capsys.readouterr().err
    assert code == 2 and "pip install 'rejectlens[dask]'" in err and "needs the optional package 'dask'" in err
    import rejectlens.dask

    with pytest.raises(MissingDependencyError, match=r"rejectlens\[dask\]"):
        rejectlens.dask.classify(None)


def test_cli_dask_checks_its_arguments(dataset, tmp_path, capsys):
    code = main(["classify", str(dataset / "ds"), "--dask"])
    assert code == 2 and "name it with -o OUT_DIR" in capsys.readouterr().err
    code = main(["classify", str(dataset / "ds"), "-o", str(tmp_path / "o"), "--dask", "--body-col", "text"])
    assert code == 2 and "body column 'text' not found; columns found: id, subject, sender, body" in \
        capsys.readouterr().err
    # a mistyped column name is found before any worker starts, as classify finds it
    code = main(["classify", str(dataset / "ds"), "-o", str(tmp_path / "o"), "--dask", "--id-col", "msgid"])
    err = capsys.readouterr().err
    assert code == 2 and "id column 'msgid' not found" in err and "Traceback" not in err
    code = main(["classify", str(tmp_path / "missing"), "-o", str(tmp_path / "o"), "--dask"])
    assert code == 2 and "does not exist" in capsys.readouterr().err
    code = main(["classify", str(dataset / "ds"), "-o", str(tmp_path / "o.csv"), "--dask", "--format", "csv"])
    assert code == 2 and "writes Parquet parts; got --format csv" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    code = main(["classify", str(tmp_path / "empty"), "-o", str(tmp_path / "o"), "--dask"])
    assert code == 2 and "holds no .parquet files" in capsys.readouterr().err
    # --force replaces an old output, never the input: the dataset would be lost
    code = main(["classify", str(dataset / "ds"), "-o", str(dataset / "ds"), "--dask", "--force"])
    assert code == 2 and "is the input" in capsys.readouterr().err and any((dataset / "ds").iterdir())
    code = main(["classify", str(dataset / "ds"), "-o", str(dataset / "ds" / "preds"), "--dask"])
    assert code == 2 and "is inside the input" in capsys.readouterr().err  # it would read them next time


def test_dataset_parts_are_read_in_the_order_dask_reads_them(tmp_path):
    from rejectlens.dask import dataset_files

    for k in (0, 1, 2, 10, 11):
        (tmp_path / f"part.{k}.parquet").write_bytes(b"")
    assert [f.name for f in dataset_files(tmp_path)] == [f"part.{k}.parquet" for k in (0, 1, 2, 10, 11)]
