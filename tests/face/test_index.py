"""Vector index: exact top-k for numpy and faiss backends, thresholds, add/replace/remove."""

from __future__ import annotations

import numpy as np
import pytest

from campusguard.face.engine import normalise
from campusguard.face.index import IndexRegistry, VectorIndex, naive_search


@pytest.mark.parametrize("backend", ["numpy", "faiss"])
def test_topk_matches_naive(backend: str) -> None:
    rng = np.random.default_rng(1)
    vecs = normalise(rng.standard_normal((3000, 128)).astype(np.float32))
    index = VectorIndex(backend=backend)
    index.add(range(100, 3100), vecs)
    q = vecs[42] + rng.normal(0, 0.01, 128).astype(np.float32)
    got = index.search(q, 5)
    want = naive_search(q, list(vecs), 5)
    assert [m.face_id for m in got] == [i + 100 for i, _ in want]
    assert got[0].distance == pytest.approx(want[0][1], abs=1e-4)


def test_threshold_filters_and_remove_swaps() -> None:
    rng = np.random.default_rng(2)
    vecs = normalise(rng.standard_normal((10, 128)).astype(np.float32))
    index = VectorIndex()
    index.add(range(10), vecs)
    assert [m.face_id for m in index.search(vecs[3], 3, threshold=0.1)] == [3]
    assert index.remove([3, 99]) == 1
    assert len(index) == 9 and 3 not in index
    assert index.search(vecs[3], 3, threshold=0.1) == []
    assert index.search(vecs[9], 1)[0].face_id == 9  # the swapped-in last row is still found
    index.add([9], vecs[0][None, :])  # replace in place
    assert len(index) == 9
    assert index.search(vecs[0], 2)[0].distance < 1e-3


def test_faiss_rebuilds_after_removal() -> None:
    rng = np.random.default_rng(3)
    vecs = normalise(rng.standard_normal((50, 128)).astype(np.float32))
    index = VectorIndex(backend="faiss")
    index.add(range(50), vecs)
    assert index.search(vecs[7], 1)[0].face_id == 7
    index.remove([7])
    assert index.search(vecs[7], 1)[0].face_id != 7
    index.add([7], vecs[7][None, :])
    assert index.search(vecs[7], 1)[0].face_id == 7


def test_registry_merges_watchlists() -> None:
    rng = np.random.default_rng(4)
    vecs = normalise(rng.standard_normal((4, 128)).astype(np.float32))
    reg = IndexRegistry()
    reg.get(1).add([10, 11], vecs[:2])
    reg.get(2).add([20, 21], vecs[2:])
    found = reg.search([1, 2], vecs[2], k=2)
    assert found[0] == (2, found[0][1]) and found[0][1].face_id == 20
    assert reg.total() == 4
    assert reg.search([1], vecs[2], k=1, threshold=0.1) == []
