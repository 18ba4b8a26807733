"""Benchmark: end-to-end captures/s on 640x480 and search latency vs the naive per-face loop."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import structlog
from PIL import Image

from campusguard.face.engine import EMBEDDING_DIM, normalise
from campusguard.face.index import DEFAULT_THRESHOLD, VectorIndex, naive_search
from campusguard.face.pool import FacePool, default_workers

log = structlog.get_logger(__name__)


def gate_frames(photos_dir: Path, size: tuple[int, int] = (640, 480)) -> list[bytes]:
    """Letterbox each single-person photo into a 640x480 JPEG, as a gate terminal would send."""
    frames: list[bytes] = []
    for path in sorted(photos_dir.glob("*/*.jpg")):
        if path.parent.name.startswith("_"):
            continue
        with Image.open(path) as src:
            img = src.convert("RGB")
        img.thumbnail(size, Image.Resampling.BILINEAR)
        canvas = Image.new("RGB", size, (90, 90, 90))
        canvas.paste(img, ((size[0] - img.width) // 2, (size[1] - img.height) // 2))
        buf = io.BytesIO()
        canvas.save(buf, format="JPEG", quality=85)
        frames.append(buf.getvalue())
    if not frames:
        raise FileNotFoundError(f"no person folders with .jpg photos under {photos_dir}")
    return frames


def _percentiles(samples: list[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
        "mean_ms": round(float(arr.mean()), 3),
        "n": len(samples),
    }


def _timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _query_times(index: VectorIndex, queries: np.ndarray, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and process-CPU seconds per query (CPU time shows the cost when other jobs share the cores)."""
    wall, cpu = [], []
    for i in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        index.search(queries[i % len(queries)], 5)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def end_to_end(frames: list[bytes], *, workers: int, captures: int, index: VectorIndex) -> dict[str, Any]:
    """Detect + align + embed in `workers` processes, search in the caller, as the gate API does."""
    pool = FacePool(workers=workers).start()
    try:
        pool.analyse(frames[0])  # warm caches
        t0 = time.perf_counter()
        futures: list[Future[Any]] = [pool.submit(frames[i % len(frames)]) for i in range(captures)]
        faces = hits = 0
        cpu = 0.0
        for fut in futures:
            analysis = fut.result()
            cpu += analysis.cpu_s
            for face in analysis.faces:
                faces += 1
                hits += bool(index.search(face.embedding, 1, threshold=DEFAULT_THRESHOLD))
        elapsed = time.perf_counter() - t0
    finally:
        pool.close()
    return {
        "workers": workers,
        "captures": captures,
        "faces": faces,
        "matched": hits,
        "seconds": round(elapsed, 3),
        "captures_per_s": round(captures / elapsed, 2),
        "faces_per_s": round(faces / elapsed, 2),
        "engine_cpu_ms_per_capture": round(1000 * cpu / captures, 1),
        "capacity_faces_per_s_all_cores": round(default_workers() * faces / cpu, 2) if cpu else None,
    }


def search_latency(
    size: int, probes: np.ndarray, *, queries: int, naive_queries: int, rng: np.random.Generator
) -> dict[str, Any]:
    """p50/p99 of VectorIndex (numpy and auto=faiss fp16) at `size` rows, plus the naive loop."""
    base = normalise(rng.standard_normal((size, EMBEDDING_DIM), dtype=np.float32))
    base[: len(probes)] = probes
    result: dict[str, Any] = {"size": size}
    qs = normalise(probes + rng.normal(0, 0.02, probes.shape).astype(np.float32))
    for backend in ("numpy", "faiss"):
        index = VectorIndex(backend=backend, capacity=size)  # "faiss" = fp16 scalar quantiser, exact re-rank
        index.add(range(size), base)
        t0 = time.perf_counter()
        index.search(qs[0], 5)  # builds the faiss copy
        build = time.perf_counter() - t0
        samples, cpu = _query_times(index, qs, queries)
        top = index.search(qs[0], 1)[0]
        result[backend] = {
            **_percentiles(samples),
            "cpu_p50_ms": _percentiles(cpu)["p50_ms"],
            "cpu_p99_ms": _percentiles(cpu)["p99_ms"],
            "first_query_s": round(build, 3),
            "top1_correct": top.face_id == 0,
        }
        del index
    if naive_queries:
        rows = list(base)
        samples = _timed(lambda: naive_search(qs[0], rows, 5), naive_queries)
        result["naive_loop"] = _percentiles(samples)
        result["speedup_p50"] = round(result["naive_loop"]["p50_ms"] / result["numpy"]["p50_ms"], 1)
    else:
        result["naive_loop"] = None
    return result


def run(
    photos_dir: Path,
    *,
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000),
    captures: int = 40,
    queries: int = 200,
    workers: int | None = None,
    seed: int = 7,
) -> dict[str, Any]:
    """The whole benchmark as one JSON-able dict."""
    load_start = [round(x, 2) for x in os.getloadavg()]
    rng = np.random.default_rng(seed)
    frames = gate_frames(photos_dir)
    workers = workers or default_workers()
    probe_pool = FacePool(workers=0).start()
    probes = normalise(np.stack([probe_pool.analyse(f, crops=False).faces[0].embedding for f in frames[:8]]))
    probe_pool.close()
    gallery = VectorIndex()
    gallery.add(range(10_000), normalise(rng.standard_normal((10_000, EMBEDDING_DIM), dtype=np.float32)))
    gallery.add(range(10_000, 10_000 + len(probes)), probes)
    e2e_single = end_to_end(frames, workers=1, captures=max(8, captures // 4), index=gallery)
    e2e_pool = end_to_end(frames, workers=workers, captures=captures, index=gallery)
    search = []
    for size in sizes:
        naive = 20 if size <= 10_000 else (3 if size <= 100_000 else 0)
        search.append(
            search_latency(
                size, probes, queries=queries if size < 1_000_000 else queries // 2, naive_queries=naive, rng=rng
            )
        )
        log.info("face.bench.search", size=size, p99=search[-1]["faiss"]["p99_ms"])
    return {
        "benchmark": "faces",
        "load_average_at_start": load_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "frame": "640x480 JPEG, HOG without upsampling, 1 face per capture",
        "cores": default_workers(),
        "end_to_end": {
            "baseline_1_worker": e2e_single,
            "pool": e2e_pool,
            "speedup": round(e2e_pool["captures_per_s"] / e2e_single["captures_per_s"], 2),
        },
        "search": search,
        "targets": {"faces_per_s": 8, "p99_ms_at_100k": 5, "p99_ms_at_1m": 50},
    }
