"""Worker processes for the engine: dlib's embedding holds the GIL, so parallelism needs processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor

import structlog

from campusguard.face.analysis import Analysis, analyse_bytes
from campusguard.face.engine import DEFAULT_ENGINE, FaceEngine, load_engine
from campusguard.logs import configure_logging

log = structlog.get_logger(__name__)

_worker_engine: FaceEngine | None = None


def _init_worker(spec: str) -> None:
    """Load the models once per worker process (about a second), not once per image."""
    global _worker_engine
    configure_logging()  # to stderr: a CLI's stdout may carry JSON
    _worker_engine = load_engine(spec)


def _run(data: bytes, upsample: int, crops: bool) -> Analysis:
    assert _worker_engine is not None, "worker not initialised"
    return analyse_bytes(_worker_engine, data, upsample=upsample, crops=crops)


def _warm() -> int:
    return os.getpid()


def default_workers() -> int:
    """One worker per usable core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


class FacePool:
    """Analyse images in `workers` processes (0 = in the calling thread, for CLIs and tests)."""

    def __init__(self, *, workers: int | None = None, engine: str = DEFAULT_ENGINE) -> None:
        self.workers = default_workers() if workers is None else workers
        self.engine_spec = engine
        self._executor: ProcessPoolExecutor | None = None
        self._local: FaceEngine | None = None
        self._lock = threading.Lock()

    def start(self) -> FacePool:
        """Spawn (not fork: the API process has threads) and warm every worker."""
        with self._lock:
            if self.workers == 0:
                if self._local is None:
                    self._local = load_engine(self.engine_spec)
                return self
            if self._executor is None:
                ctx = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                                     initargs=(self.engine_spec,))
                pids = {f.result() for f in [self._executor.submit(_warm) for _ in range(self.workers * 2)]}
                log.info("face.pool.started", workers=self.workers, pids=sorted(pids))
        return self

    def submit(self, data: bytes, *, upsample: int = 0, crops: bool = True) -> Future[Analysis]:
        self.start()
        if self._executor is None:
            fut: Future[Analysis] = Future()
            try:
                assert self._local is not None
                fut.set_result(analyse_bytes(self._local, data, upsample=upsample, crops=crops))
            except BaseException as exc:  # noqa: BLE001 - delivered through the future
                fut.set_exception(exc)
            return fut
        return self._executor.submit(_run, data, upsample, crops)

    def analyse(self, data: bytes, *, upsample: int = 0, crops: bool = True) -> Analysis:
        return self.submit(data, upsample=upsample, crops=crops).result()

    async def analyse_async(self, data: bytes, *, upsample: int = 0, crops: bool = True) -> Analysis:
        if self.workers == 0:
            return await asyncio.to_thread(self.analyse, data, upsample=upsample, crops=crops)
        return await asyncio.wrap_future(self.submit(data, upsample=upsample, crops=crops))

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
            self._local = None
