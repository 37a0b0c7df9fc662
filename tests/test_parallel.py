"""parallel: chunking, n_jobs, and worker results in input order."""

import os

import pytest

from rejectlens.errors import InputError
from rejectlens.parallel import chunks, forks_workers, map_chunks, resolve_n_jobs


def _double(payload, chunk, extra):
    return [payload * x + extra for x in chunk]


def test_chunks_are_lazy_and_keep_order():
    def endless():
        n = 0
        while True:
            yield n
            n += 1

    it = chunks(endless(), 3)
    assert next(it) == [0, 1, 2] and next(it) == [3, 4, 5]
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunks([], 3)) == []


def _failing_source(n):
    yield from range(n)
    raise ConnectionError("source dropped")


def test_rows_read_before_a_source_fails_are_not_lost():
    got = []
    with pytest.raises(ConnectionError, match="source dropped"):
        for chunk in chunks(_failing_source(7), 3):
            got.append(chunk)
    assert got == [[0, 1, 2], [3, 4, 5], [6]]
    out = []
    with pytest.raises(ConnectionError, match="source dropped"):
        for result in map_chunks(_double, 2, chunks(_failing_source(5), 2), 2, 1):
            out.append(result)
    assert out == [[1, 3], [5, 7], [9]]


def test_classify_many_answers_the_rows_a_failing_source_gave(default_model):
    got = []
    with pytest.raises(ConnectionError, match="source dropped"):
        for p in default_model.classify_many({"id": str(i), "body": f"Note {i}"} for i in _failing_source(5)):
            got.append(p.id)
    assert got == ["0", "1", "2", "3", "4"]


def test_n_jobs():
    cores = os.cpu_count() or 1
    assert resolve_n_jobs(0) == resolve_n_jobs(-1) == cores and resolve_n_jobs(2) == 2
    assert resolve_n_jobs(-2) == max(1, cores - 1) and resolve_n_jobs(-1000) == 1  # as in joblib
    with pytest.warns(RuntimeWarning, match="more than four workers a core"):
        assert resolve_n_jobs(100_000) == 4 * cores  # every worker is forked up front
    with pytest.raises(InputError, match=r"n_jobs must be an integer \(0 or -1: every core\); got 1.5"):
        resolve_n_jobs(1.5)


def test_workers_hand_back_results_in_input_order():
    out = list(map_chunks(_double, 2, chunks(range(10), 3), 2, 1))
    assert out == [[1, 3, 5], [7, 9, 11], [13, 15, 17], [19]]


def _call(payload, chunk):
    return [payload(x) for x in chunk]


@pytest.mark.skipif(not forks_workers(), reason="workers are forked on Linux only")
def test_forked_workers_inherit_the_payload_instead_of_receiving_it():
    # a lambda cannot be pickled: only an inherited payload reaches the workers
    out = list(map_chunks(_call, lambda x: x * 10, chunks(range(7), 2), 2))
    assert out == [[0, 10], [20, 30], [40, 50], [60]]
    assert list(map_chunks(_call, lambda x: x, iter([]), 2)) == []


def test_spawned_workers_give_the_same_results(monkeypatch):
    import rejectlens.parallel as parallel

    monkeypatch.setattr(parallel, "forks_workers", lambda: False)
    assert list(map_chunks(_double, 2, chunks(range(5), 2), 2, 1)) == [[1, 3], [5, 7], [9]]


@pytest.mark.skipif(not forks_workers(), reason="workers are forked on Linux only")
def test_a_worker_error_reaches_the_caller():
    with pytest.raises(ZeroDivisionError):
        list(map_chunks(_call, lambda x: 1 / x, chunks([1, 0, 2], 1), 2))


def test_workers_classify_with_the_model_the_caller_holds(small_model, tmp_path, monkeypatch):
    # Workers live on between runs and a retrained model may be saved over the
    # folder a loaded model came from: neither may change whose answers come back.
    import shutil

    import rejectlens
    import rejectlens.model as model_module
    from rejectlens.errors import ModelFileError
    from rejectlens.model import SavedRef, worker_model, worker_payload

    folder = tmp_path / "m"
    shutil.copytree(rejectlens.default_model_path(), folder)
    a = rejectlens.load(folder)
    ref_a = worker_payload(a)
    assert isinstance(ref_a, SavedRef) and worker_model(ref_a).manifest["files"] == a.manifest["files"]
    small_model.save(folder, force=True)
    b = rejectlens.load(folder)
    assert worker_payload(a) is a  # its folder holds another model now: send the model itself
    assert worker_model(worker_payload(b)).manifest["files"] == b.manifest["files"]
    assert worker_model(str(folder)).manifest["files"] == b.manifest["files"]
    with pytest.raises(ModelFileError, match="was replaced while this run was classifying"):
        worker_model(SavedRef(ref_a.path, ref_a.fingerprint + "0"))
    texts = ["Unfortunately we will not move forward with your application.",
             "Can you do a call on Tuesday?", "We received your application."]
    for m in (a, b):
        one = [p.to_dict() for p in m.classify_many(texts)]
        assert [p.to_dict() for p in m.classify_many(texts, batch_size=1, n_jobs=2)] == one
    # a worker started in another folder reads the same one; a folder's old model is let go
    monkeypatch.chdir(tmp_path)
    assert SavedRef.of("m") == worker_payload(b) and worker_payload(b).path == str(folder.resolve())
    assert sum(k[0] == str(folder.resolve()) for k in model_module._WORKER_MODELS) == 1


def _die(payload, chunk):
    import signal

    os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer ends a worker


_DYING_WORKER = """
import signal, sys
from tests.test_parallel import _die
from rejectlens.parallel import map_chunks

class Unwind(BaseException):
    pass

def on_term(signum, frame):
    raise Unwind
signal.signal(signal.SIGTERM, on_term)  # what the CLI installs before forking its workers
try:
    list(map_chunks(_die, None, [[1], [2], [3]], 2))
except Exception as err:
    print(type(err).__name__, err)
"""


@pytest.mark.skipif(not forks_workers(), reason="forked workers only")
def test_a_dead_worker_fails_the_run_instead_of_hanging_it():
    import subprocess
    import sys
    from pathlib import Path

    # the pool ends its other workers with SIGTERM: a handler they inherited made them wait forever
    done = subprocess.run([sys.executable, "-c", _DYING_WORKER], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[1])
    assert done.stdout.startswith("WorkerError a worker process died"), done.stdout + done.stderr
