"""In-memory exact vector search per watchlist: numpy when small, faiss fp16 brute force when large."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import structlog

from campusguard.face.engine import EMBEDDING_DIM, normalise

log = structlog.get_logger(__name__)

DEFAULT_THRESHOLD = 0.42
"""Match threshold in L2 distance between unit vectors, calibrated on the test photos.

With dlib's ResNet the same person lies at <= 0.365 and different people at >= 0.472
(raw dlib distances 0.52 / 0.70; dlib's conventional 0.6 raw ~= 0.42 here)."""

FAISS_MIN_ROWS = 2_000
"""Below this numpy's float32 matvec is as fast; above, faiss fp16 (one thread) halves the memory traffic
and, unlike multi-threaded BLAS, does not degrade when the cores are busy."""


def distance_from_similarity(sim: np.ndarray | float) -> np.ndarray:
    """Unit vectors: |a-b|^2 = 2 - 2 a.b."""
    return np.sqrt(np.clip(2.0 - 2.0 * np.asarray(sim, dtype=np.float32), 0.0, 4.0))


def similarity_for_distance(distance: float) -> float:
    return 1.0 - distance * distance / 2.0


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate: the enrolled face id (caller's key) and its L2 distance to the probe."""

    face_id: int
    distance: float

    @property
    def similarity(self) -> float:
        return similarity_for_distance(self.distance)


class VectorIndex:
    """Exact top-k over unit vectors; rows are appended, removed by swap, searched by inner product."""

    def __init__(self, dim: int = EMBEDDING_DIM, *, backend: str = "auto", capacity: int = 1024) -> None:
        if backend not in {"auto", "numpy", "faiss"}:
            raise ValueError(f"unknown backend {backend!r}")
        self.dim = dim
        self.backend = backend
        self._vectors = np.zeros((capacity, dim), dtype=np.float32)
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._row: dict[int, int] = {}
        self._n = 0
        self._faiss: Any = None
        self._faiss_rows = 0
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return self._n

    def _resize(self, dim: int) -> None:
        """An empty index takes the dimension of the first rows (engines differ: 128-d dlib, 512-d ArcFace)."""
        self.dim = dim
        self._vectors = np.zeros((self._vectors.shape[0], dim), dtype=np.float32)
        self._faiss, self._faiss_rows = None, 0

    def __contains__(self, face_id: object) -> bool:
        return face_id in self._row

    def _grow(self, need: int) -> None:
        cap = self._vectors.shape[0]
        if need <= cap:
            return
        new_cap = max(need, cap * 2)
        vectors = np.zeros((new_cap, self.dim), dtype=np.float32)
        vectors[: self._n] = self._vectors[: self._n]
        ids = np.zeros(new_cap, dtype=np.int64)
        ids[: self._n] = self._ids[: self._n]
        self._vectors, self._ids = vectors, ids

    def add(self, face_ids: Iterable[int], vectors: np.ndarray) -> None:
        """Insert or replace rows; vectors are normalised here so callers cannot skew distances."""
        ids = [int(i) for i in face_ids]
        mat = normalise(vectors)
        with self._lock:
            if self._n == 0 and mat.shape[0] == len(ids) and mat.shape[1] != self.dim:
                self._resize(mat.shape[1])
        if mat.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)}x{self.dim} vectors, got {mat.shape}")
        with self._lock:
            fresh: list[int] = []
            for i, fid in enumerate(ids):
                row = self._row.get(fid)
                if row is None:
                    fresh.append(i)
                else:
                    self._vectors[row] = mat[i]
                    self._faiss = None  # an in-place change invalidates the quantised copy
            self._grow(self._n + len(fresh))
            start = self._n
            for offset, i in enumerate(fresh):
                self._vectors[start + offset] = mat[i]
                self._ids[start + offset] = ids[i]
                self._row[ids[i]] = start + offset
            self._n += len(fresh)

    def remove(self, face_ids: Iterable[int]) -> int:
        """Delete rows by swapping the last row in; returns how many were present."""
        removed = 0
        with self._lock:
            for fid in face_ids:
                row = self._row.pop(int(fid), None)
                if row is None:
                    continue
                last = self._n - 1
                if row != last:
                    self._vectors[row] = self._vectors[last]
                    self._ids[row] = self._ids[last]
                    self._row[int(self._ids[row])] = row
                self._n -= 1
                removed += 1
            if removed:
                self._faiss = None
        return removed

    def vector(self, face_id: int) -> np.ndarray | None:
        with self._lock:
            row = self._row.get(face_id)
            return None if row is None else self._vectors[row].copy()

    def _use_faiss(self) -> bool:
        if self.backend == "numpy":
            return False
        if self.backend == "auto" and self._n < FAISS_MIN_ROWS:
            return False
        try:
            import faiss  # noqa: F401
        except ImportError:  # pragma: no cover - faiss-cpu is a dependency
            return False
        return True

    def _faiss_index(self) -> Any:
        import faiss

        if self._faiss is None or self._faiss_rows > self._n:
            faiss.omp_set_num_threads(1)  # memory-bound anyway; spinning OpenMP threads starve workers
            index = faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16,
                                               faiss.METRIC_INNER_PRODUCT)
            self._faiss, self._faiss_rows = index, 0
        if self._faiss_rows < self._n:
            self._faiss.add(self._vectors[self._faiss_rows: self._n])
            self._faiss_rows = self._n
        return self._faiss

    def search(self, query: np.ndarray, k: int = 5, *, threshold: float | None = None) -> list[Match]:
        """Top-k nearest (exact float32 distances), optionally only those within `threshold`."""
        q = normalise(query)[0]
        with self._lock:
            n = self._n
            if n == 0 or k <= 0:
                return []
            if q.shape[0] != self.dim:
                raise ValueError(f"query has {q.shape[0]} dims, index {self.dim}")
            if self._use_faiss():
                want = min(n, max(k, 16))
                _, rows = self._faiss_index().search(q[None, :], want)
                cand = rows[0][rows[0] >= 0]
                sims = self._vectors[cand] @ q  # exact re-rank of the fp16 shortlist
            else:
                all_sims = self._vectors[:n] @ q
                if threshold is not None:
                    cand = np.flatnonzero(all_sims >= similarity_for_distance(threshold) - 1e-6)
                elif k < n:
                    cand = np.argpartition(-all_sims, k - 1)[:k]
                else:
                    cand = np.arange(n)
                sims = all_sims[cand]
            order = np.argsort(-sims, kind="stable")[:k]
            ids = self._ids[cand[order]]
            dists = distance_from_similarity(sims[order])
        out = [Match(int(i), float(d)) for i, d in zip(ids, dists, strict=True)]
        if threshold is not None:
            out = [m for m in out if m.distance <= threshold + 1e-6]
        return out


def naive_search(query: np.ndarray, vectors: list[np.ndarray], k: int = 5) -> list[tuple[int, float]]:
    """Baseline for the benchmark: one Python-level distance per enrolled face."""
    q = normalise(query)[0]
    scored = [(i, float(np.linalg.norm(q - v))) for i, v in enumerate(vectors)]
    scored.sort(key=lambda t: t[1])
    return scored[:k]


class IndexRegistry:
    """One VectorIndex per watchlist, searched together for a gate (results merged by distance)."""

    def __init__(self, *, backend: str = "auto") -> None:
        self.backend = backend
        self._indexes: dict[int, VectorIndex] = {}
        self._lock = threading.Lock()
        self.loaded = False

    def get(self, watchlist_id: int) -> VectorIndex:
        with self._lock:
            index = self._indexes.get(watchlist_id)
            if index is None:
                index = self._indexes[watchlist_id] = VectorIndex(backend=self.backend)
            return index

    def drop(self, watchlist_id: int) -> None:
        with self._lock:
            self._indexes.pop(watchlist_id, None)

    def clear(self) -> None:
        with self._lock:
            self._indexes.clear()
            self.loaded = False

    def total(self) -> int:
        with self._lock:
            return sum(len(i) for i in self._indexes.values())

    def search(self, watchlist_ids: Iterable[int], query: np.ndarray, k: int = 5,
               threshold: float | None = None) -> list[tuple[int, Match]]:
        """Best matches over several watchlists as (watchlist_id, match), nearest first."""
        found: list[tuple[int, Match]] = []
        for wid in watchlist_ids:
            with self._lock:
                index = self._indexes.get(wid)
            if index is not None:
                found.extend((wid, m) for m in index.search(query, k, threshold=threshold))
        found.sort(key=lambda t: t[1].distance)
        return found[:k]

