"""parallel: chunking, n_jobs, and worker results in input order."""

import pytest

from rejectlens.errors import InputError
from rejectlens.parallel import chunks, map_chunks, resolve_n_jobs


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


def test_n_jobs():
    assert resolve_n_jobs(0) >= 1 and resolve_n_jobs(2) == 2
    with pytest.raises(InputError, match="got -1"):
        resolve_n_jobs(-1)


def test_workers_hand_back_results_in_input_order():
    out = list(map_chunks(_double, 2, chunks(range(10), 3), 2, 1))
    assert out == [[1, 3, 5], [7, 9, 11], [13, 15, 17], [19]]
