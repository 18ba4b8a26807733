"""Command-line commands of the face domain: `eval faces DIR` and `bench faces`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from campusguard.face.index import DEFAULT_THRESHOLD

DEFAULT_PHOTOS = Path("tests/data/faces")


def eval_faces(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False,
                                              help="one folder of photos per person")],
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
    typer.echo(f"people {report.people}, probes {report.probes} ({report.impostor_probes} strangers), "
               f"threshold {report.threshold}")
    typer.echo(f"TAR {report.tar:.3f}  FAR {report.far:.4f}  "
               f"max genuine {report.max_genuine_distance}  min impostor {report.min_impostor_distance}")
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


def register(root: typer.Typer, bench: typer.Typer, eval_: typer.Typer) -> None:
    """Add this domain's commands to the CLI groups."""
    eval_.command("faces")(eval_faces)
    bench.command("faces")(bench_faces)
