"""Command-line commands of the video domain: benches, the nginx config, simulated cameras, a worker."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Annotated

import typer


def register(root: typer.Typer, bench: typer.Typer, eval_: typer.Typer) -> None:
    """Add this domain's commands to the CLI groups."""
    video = typer.Typer(help="Video: nginx config, simulated cameras, recording worker")
    root.add_typer(video, name="video")

    @bench.command("recording")
    def bench_recording(
        cameras: Annotated[int, typer.Option(help="simulated 1080p cameras")] = 100,
        seconds: Annotated[float, typer.Option(help="measurement window")] = 30,
        segment_s: Annotated[int, typer.Option(help="recording segment length")] = 4,
        bitrate: Annotated[int, typer.Option(help="kbit/s of the pre-encoded stream")] = 2000,
        size: Annotated[str, typer.Option(help="WxH")] = "1920x1080",
        stagger: Annotated[float, typer.Option(help="seconds between two ffmpeg starts")] = 0.25,
        hls: Annotated[bool, typer.Option(help="also watch every camera live (HLS from its recording)")] = False,
    ) -> None:
        """N cameras recorded as in production vs N bare `ffmpeg -c copy` (CPU per camera, dropped segments)."""
        from campusguard.video.bench import bench_recording as run

        typer.echo(json.dumps(asyncio.run(run(cameras, seconds, segment_s, size, bitrate, stagger, hls))))

    @bench.command("viewers")
    def bench_viewers(
        viewers: Annotated[int, typer.Option(help="concurrent HLS viewers")] = 1000,
        seconds: Annotated[float, typer.Option(help="duration of each paced run")] = 20,
        app_workers: Annotated[int, typer.Option(help="uvicorn workers for the app-only path")] = 1,
        saturate: Annotated[float, typer.Option(help="duration of each saturated run")] = 10,
    ) -> None:
        """Paced HLS viewers via nginx+secure_link vs plain nginx vs the app alone, then saturated."""
        from campusguard.video.bench import bench_viewers as run

        typer.echo(json.dumps(run(viewers, seconds, app_workers, saturate)))

    @video.command("nginx-conf")
    def nginx_conf(
        out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
        listen: Annotated[str, typer.Option()] = "80",
        app: Annotated[str, typer.Option(help="host:port of the app")] = "127.0.0.1:8000",
    ) -> None:
        """Render deploy/nginx/campusguard.conf with this installation's media secret and video folder."""
        from campusguard.config import get_settings
        from campusguard.video.nginx import render
        from campusguard.video.signing import media_secret
        from campusguard.video.storage import video_root

        settings = get_settings()
        text = render(secret=media_secret(settings), video_root=video_root(settings), app=app, listen=listen)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text)
            out.chmod(0o640)
            typer.echo(f"wrote {out}")

    @video.command("sim")
    def sim(
        cameras: Annotated[int, typer.Option()] = 4,
        size: Annotated[str, typer.Option()] = "1280x720",
        bitrate: Annotated[int, typer.Option()] = 1500,
    ) -> None:
        """Run simulated RTSP cameras (/cam1../camN) until interrupted; prints their URLs."""
        from campusguard.video.simcam import SimCameras

        sim_ = SimCameras(cameras, size=size, bitrate=bitrate).start()
        typer.echo(json.dumps({"rtsp": [sim_.url(i) for i in range(1, cameras + 1)],
                               "control": f"http://127.0.0.1:{sim_.control_port}/cameras"}))
        try:
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
        finally:
            sim_.stop()

    @video.command("attach-sim")
    def attach_sim(
        base: Annotated[str, typer.Option(help="RTSP base of the simulator")] = "rtsp://127.0.0.1:8554",
        cameras: Annotated[int, typer.Option(help="mount points /cam1../camN to spread over")] = 4,
        school_code: Annotated[str | None, typer.Option(help="only this school")] = None,
        limit: Annotated[int, typer.Option(help="at most this many cameras")] = 8,
    ) -> None:
        """Demo: give seeded camera devices without video settings a simulated stream to record."""
        from campusguard.config import get_settings
        from campusguard.core import crypto
        from campusguard.core.db import Database
        from campusguard.video.service import attach_streams

        settings = get_settings()
        keys = [settings.data_key.get_secret_value()] if settings.data_key else []
        crypto.configure(*keys, settings.secret())
        db = Database(settings.db_url)
        with db.session() as s:
            made = attach_streams(s, base=base, mounts=cameras, school_code=school_code, limit=limit)
        typer.echo(json.dumps({"attached": made}))

    @video.command("worker")
    def worker(capacity: Annotated[int | None, typer.Option(help="default: CG_VIDEO_CAPACITY")] = None) -> None:
        """A recording worker without the API: announces itself, records the cameras it is assigned."""
        from campusguard.config import get_settings
        from campusguard.video.workers import run_standalone

        asyncio.run(run_standalone(get_settings().video_capacity if capacity is None else capacity))
