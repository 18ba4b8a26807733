"""Command-line commands of the face domain: `eval faces DIR` and `bench faces`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from campusguard.face.index import DEFAULT_THRESHOLD

DEFAULT_PHOTOS = Path("tests/data/faces")


def eval_faces(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="one folder of photos per person")],
    json_out: Annotated[bool, typer.Option("--json", help="print one JSON line")] = False,
    threshold: Annotated[float, typer.Option(help="L2 distance between unit embeddings")] = DEFAULT_THRESHOLD,
    workers: Annotated[int, typer.Option(help="engine processes (0 = in process)")] = 0,
) -> None:
    """Enrol each person's first photo, match the rest: true-accept and false-accept rates."""
    from campusguard.face.evaluate import evaluate
    from campusguard.face.pool import FacePool
    from campusguard.logs import configure_logging

    configure_logging()
    pool = FacePool(workers=workers)
    try:
        report = evaluate(directory, pool=pool, threshold=threshold)
    finally:
        pool.close()
    if json_out:
        typer.echo(json.dumps(report.as_dict()))
        return
    typer.echo(
        f"people {report.people}, probes {report.probes} ({report.impostor_probes} strangers), "
        f"threshold {report.threshold}"
    )
    typer.echo(
        f"TAR {report.tar:.3f}  FAR {report.far:.4f}  "
        f"max genuine {report.max_genuine_distance}  min impostor {report.min_impostor_distance}"
    )
    if report.skipped:
        typer.echo(f"skipped (multi-face, unlabelled): {', '.join(report.skipped)}")


def bench_faces(
    photos: Annotated[Path, typer.Option(exists=True, file_okay=False)] = DEFAULT_PHOTOS,
    max_size: Annotated[int, typer.Option(help="largest gallery: 10000, 100000 or 1000000")] = 1_000_000,
    captures: Annotated[int, typer.Option(help="gate captures for the end-to-end run")] = 40,
    workers: Annotated[int | None, typer.Option(help="engine processes (default: one per core)")] = None,
) -> None:
    """End-to-end captures/s on 640x480 and search p50/p99, with the naive loop as baseline (JSON)."""
    from campusguard.face.bench import run
    from campusguard.logs import configure_logging

    configure_logging()
    sizes = tuple(s for s in (10_000, 100_000, 1_000_000) if s <= max_size)
    typer.echo(json.dumps(run(photos, sizes=sizes, captures=captures, workers=workers)))


SHARED_PHOTOS = Path("../shared/testdata/faces")


def bench_faces_gate(
    photos: Annotated[
        Path | None, typer.Option(file_okay=False, help="one folder per person (default: shared test data)")
    ] = None,
    captures: Annotated[int, typer.Option(min=20, help="gate captures, one at a time")] = 24,
    workers: Annotated[int | None, typer.Option(help="server face workers (default: one per core)")] = None,
    keep: Annotated[bool, typer.Option(help="keep the work directory (server log, database)")] = False,
) -> None:
    """Gate capture -> watchlist_hit on a console WebSocket, p50/p99, with engine and HTTP baselines (JSON)."""
    from campusguard.face.gatebench import run
    from campusguard.logs import configure_logging

    configure_logging()
    if photos is None:
        photos = SHARED_PHOTOS if SHARED_PHOTOS.is_dir() else DEFAULT_PHOTOS
    typer.echo(json.dumps(run(photos, captures=captures, workers=workers, keep=keep)))


face_app = typer.Typer(help="Face recognition: entrance-camera sampling, privacy purge")


def _database() -> object:
    from campusguard.config import Settings
    from campusguard.core import crypto
    from campusguard.core.db import Database
    from campusguard.logs import configure_logging

    configure_logging()
    settings = Settings()
    crypto.configure(*([settings.data_key.get_secret_value()] if settings.data_key else []), settings.secret())
    return Database(settings.db_url)


@face_app.command("sample-camera")
def sample_camera(
    device: Annotated[str, typer.Option(help="code of the entrance camera (device type camera/gate)")],
    url: Annotated[str, typer.Option(help="stream URL: rtsp://, http(s)://…m3u8 or a file")],
    every: Annotated[float, typer.Option(help="seconds of stream time between samples")] = 1.0,
    frames: Annotated[int, typer.Option(help="stop after N samples (0 = until the stream ends)")] = 0,
) -> None:
    """Sample keyframes from an entrance camera and record them as captures (one JSON line per frame)."""
    from campusguard.core.db import Database
    from campusguard.face.sampler import run_camera

    db = _database()
    assert isinstance(db, Database)
    try:
        for result in run_camera(db, device, url, every_s=every, max_frames=frames):
            typer.echo(result.model_dump_json())
    finally:
        db.dispose()


@face_app.command("purge")
def purge(
    retention_days: Annotated[int | None, typer.Option(help="override CG_FACE_UNKNOWN_RETENTION_DAYS")] = None,
    matched_retention_days: Annotated[
        int | None, typer.Option(min=1, help="override CG_FACE_MATCHED_RETENTION_DAYS")
    ] = None,
) -> None:
    """Delete unknown captures and pass records past retention and expired key persons now (also runs hourly)."""
    from campusguard.core.db import Database
    from campusguard.face.privacy import purge as run_purge

    db = _database()
    assert isinstance(db, Database)
    try:
        with db.session() as session:
            counts = run_purge(
                session, retention_days=retention_days, matched_retention_days=matched_retention_days
            )
            typer.echo(json.dumps(counts))
    finally:
        db.dispose()


def register(root: typer.Typer, bench: typer.Typer, eval_: typer.Typer) -> None:
    """Add this domain's commands to the CLI groups."""
    eval_.command("faces")(eval_faces)
    bench.command("faces")(bench_faces)
    bench.command("faces-gate")(bench_faces_gate)
    root.add_typer(face_app, name="face")
