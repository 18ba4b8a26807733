"""Benchmarks of the video path: recording cost against a bare ffmpeg copy; HLS fan-out against nginx."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from campusguard.adapters.ffmpeg.commands import bare_copy_args
from campusguard.adapters.ffmpeg.recorder import GapInfo, Recorder
from campusguard.adapters.ffmpeg.segments import SegmentInfo
from campusguard.video.nginx import render, standalone
from campusguard.video.signing import media_url
from campusguard.video.simcam import SimCameras, free_port


def _proc_cpu_s(pid: int) -> float:
    """utime+stime of one process in seconds, straight from /proc/<pid>/stat (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # fields 14/15 of stat, after "pid (comm)"


_TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """All descendants of pid (from /proc/<pid>/task/*/children)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def _tree_cpu(exclude: int | None) -> tuple[float, float]:
    """CPU seconds of the child processes (running, and exited ones already reaped), and of this one."""
    t = os.times()
    kids = [p for p in _children(os.getpid()) if p != exclude]
    return t.children_user + t.children_system + sum(_proc_cpu_s(p) for p in kids), t.user + t.system


async def _measure(seconds: float, sim: SimCameras) -> tuple[float, float, float]:
    """CPU seconds over the window: ffmpeg children, this process (supervisor + indexer), the simulator."""
    pid = sim.proc.pid if sim.proc else None
    kids0, self0 = _tree_cpu(pid)
    sim0 = _proc_cpu_s(pid) if pid else 0.0
    await asyncio.sleep(seconds)
    kids1, self1 = _tree_cpu(pid)
    sim1 = _proc_cpu_s(pid) if pid else 0.0
    return kids1 - kids0, self1 - self0, sim1 - sim0


async def _bare(sim: SimCameras, n: int, seconds: float, work: Path, stagger_s: float
                ) -> tuple[float, float, int]:
    procs = []
    for i in range(1, n + 1):
        procs.append(await asyncio.create_subprocess_exec(
            *bare_copy_args(sim.url(i), work / f"bare{i}.ts"), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL))
        await asyncio.sleep(stagger_s)  # no start-up storm: ffmpeg's probe costs ~100 ms of CPU each
    await asyncio.sleep(4)  # connect and settle
    cpu, _, sim_cpu = await _measure(seconds, sim)
    died = sum(1 for p in procs if p.returncode is not None)
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            p.terminate()
    await asyncio.gather(*(p.wait() for p in procs))
    for f in work.glob("bare*.ts"):
        f.unlink()
    return cpu, sim_cpu, died


@dataclass
class _RecRun:
    ffmpeg_cpu: float
    indexer_cpu: float
    sim_cpu: float
    started: datetime
    ended: datetime
    segs: dict[int, list[SegmentInfo]]
    gaps: list[GapInfo]
    restarts: int


async def _recorders(sim: SimCameras, n: int, seconds: float, work: Path, segment_s: int,
                     stagger_s: float) -> _RecRun:
    segs: dict[int, list[SegmentInfo]] = {i: [] for i in range(1, n + 1)}
    gaps: list[GapInfo] = []
    recs: list[Recorder] = []
    for i in range(1, n + 1):
        async def on_segment(seg: SegmentInfo, i: int = i) -> None:
            segs[i].append(seg)

        async def on_gap(gap: GapInfo) -> None:
            gaps.append(gap)

        rec = Recorder(f"b{i}", sim.url(i), work / f"rec{i}", on_segment=on_segment, on_gap=on_gap,
                       segment_s=segment_s, hls_dir=work / f"live{i}")
        rec.start()
        recs.append(rec)
        await asyncio.sleep(stagger_s)
    await asyncio.sleep(4)
    started = datetime.now().astimezone()
    ffmpeg_cpu, indexer_cpu, sim_cpu = await _measure(seconds, sim)
    ended = datetime.now().astimezone()
    restarts = sum(r.process.restarts for r in recs)
    await asyncio.gather(*(r.stop() for r in recs))
    return _RecRun(ffmpeg_cpu, indexer_cpu, sim_cpu, started, ended, segs, gaps, restarts)


def _missing(run: _RecRun, segment_s: int) -> tuple[int, float, int]:
    """Dropped segments, seconds not covered and cameras without any segment, over the window.

    The window checked ends one segment before the measurement ended, so a segment still open when
    the recorders were stopped is not counted as missing.
    """
    lo, hi = run.started, run.ended - timedelta(seconds=segment_s + 1)
    dropped, missing_s, silent = 0, 0.0, 0
    for items in run.segs.values():
        spans = sorted((max(s.start, lo), min(s.end, hi)) for s in items if s.end > lo and s.start < hi)
        if not spans:
            silent += 1
        cursor = lo
        holes = []
        for a, b in spans:
            if a > cursor:
                holes.append((a - cursor).total_seconds())
            cursor = max(cursor, b)
        holes.append((hi - cursor).total_seconds())
        for hole in holes:
            if hole > 1.5:
                missing_s += hole
                dropped += max(1, round(hole / segment_s))
    return dropped, missing_s, silent


async def bench_recording(cameras: int, seconds: float = 30, segment_s: int = 4, size: str = "1920x1080",
                          bitrate: int = 2000, stagger_s: float = 0.25) -> dict[str, Any]:
    """N cameras recorded (fMP4 segments) and HLS-packaged at once vs N bare `ffmpeg -c copy`.

    The cameras are the bulk RTSP simulator (pre-encoded H.264, no live encoding) whose own CPU is
    measured separately and excluded from both figures.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 8 * cameras + 256  # per recorder: 3 pipes + the segment list + ffmpeg's own sockets/files
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    work = Path(tempfile.mkdtemp(prefix="cg-bench-rec-"))
    sim = SimCameras(cameras, size=size, bitrate=bitrate, bulk=True, stats_file=work / "sim.json").start()
    try:
        bare_cpu, bare_sim_cpu, bare_died = await _bare(sim, cameras, seconds, work, stagger_s)
        run = await _recorders(sim, cameras, seconds, work, segment_s, stagger_s)
        load = os.getloadavg()
    finally:
        sim.stop()
        sim_stats = _read_json(work / "sim.json")
        shutil.rmtree(work, ignore_errors=True)
    dropped, missing_s, silent = _missing(run, segment_s)
    per = 100 * (run.ffmpeg_cpu + run.indexer_cpu) / seconds / cameras
    base = 100 * bare_cpu / seconds / max(1, cameras - bare_died)  # per copy that ran the whole window
    in_window = sum(1 for v in run.segs.values() for s in v if s.end > run.started)
    return {
        "bench": "recording", "cameras": cameras, "size": size, "bitrate_kbps": bitrate, "seconds": seconds,
        "segment_s": segment_s, "stagger_s": stagger_s, "cpu_pct_per_camera": round(per, 3),
        "baseline_cpu_pct_per_camera": round(base, 3),
        "ffmpeg_cpu_pct_per_camera": round(100 * run.ffmpeg_cpu / seconds / cameras, 3),
        "indexer_cpu_pct_per_camera": round(100 * run.indexer_cpu / seconds / cameras, 3),
        "ratio": round(per / base, 3) if base else None, "segments": in_window,
        "dropped_segments": dropped, "missing_s": round(missing_s, 2), "cameras_without_segments": silent,
        "gaps_reported": len(run.gaps), "restarts": run.restarts, "baseline_processes_died": bare_died,
        "simulator_cpu_pct": round(100 * run.sim_cpu / seconds, 2),
        "simulator_cpu_pct_baseline_phase": round(100 * bare_sim_cpu / seconds, 2),
        "simulator": sim_stats, "nofile_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        "machine_load": [round(x, 2) for x in load], "cpus": os.cpu_count(),
    }


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --- viewers ---------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def parse_wrk(out: str, seconds: float) -> dict[str, float]:
    """p50/p99 latency, requests/s, MB/s and errors (socket errors + non-2xx) from `wrk --latency`."""
    res: dict[str, float] = {}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M)
        res[f"p{pct}_ms"] = round(_ms(m.group(1)), 2) if m else float("nan")
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", out)
    res["mb_per_s"] = round(float(m.group(1)) * _BYTES[m.group(2)] / 1024**2, 1) if m else 0.0
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    res["errors"] = errors
    return res


def _wrk(url: str, viewers: int, seconds: float, threads: int = 2, pace_script: Path | None = None
         ) -> dict[str, float]:
    extra = ["-s", str(pace_script)] if pace_script else []
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{viewers}", f"-d{int(seconds)}s", "--timeout", "10s",
                          "--latency", *extra, url], capture_output=True, text=True, check=True).stdout
    if os.environ.get("CG_BENCH_DEBUG"):
        sys.stderr.write(out)
    return parse_wrk(out, seconds)


def _wait_http(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def _make_segment(root: Path, seconds: int = 2, size: str = "1920x1080", kbps: int = 2200,
                  cam: str = "cam1") -> Path:
    """One H.264 MPEG-TS live segment (1080p 2 s ≈ 0.5 MB, like a real camera) and its playlist."""
    live = root / "live" / cam
    live.mkdir(parents=True, exist_ok=True)
    seg = live / "seg000001.ts"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=s={size}:r=25", "-t", str(seconds), "-c:v", "libx264", "-preset",
                    "ultrafast", "-b:v", f"{kbps}k", "-maxrate", f"{kbps}k", "-bufsize", f"{kbps * 2}k",
                    "-f", "mpegts", str(seg)], check=True)
    (live / "index.m3u8").write_text(
        f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{seconds}\n#EXT-X-MEDIA-SEQUENCE:1\n"
        f"#EXTINF:{seconds}.0,\nseg000001.ts\n")
    return seg


def bench_viewers(viewers: int = 1000, seconds: float = 10, app_workers: int = 1) -> dict[str, Any]:
    """Segment fetches by N concurrent viewers: nginx+secure_link vs plain nginx vs the app alone."""
    if shutil.which("wrk") is None or shutil.which("nginx") is None:
        raise RuntimeError("needs wrk and nginx (apt-get install wrk nginx)")
    work = Path(tempfile.mkdtemp(prefix="cg-bench-view-"))
    work.chmod(0o755)  # nginx workers run unprivileged and must read the video folder
    secret = "bench-" + os.urandom(8).hex()
    video_root = work / "video"
    seg = _make_segment(video_root)
    phone = _make_segment(video_root, seconds=1, size="640x360", kbps=600, cam="cam2")
    seg_bytes, phone_bytes = seg.stat().st_size, phone.stat().st_size
    pace = work / "pace.lua"
    pace.write_text("function delay()\n  return 1000\nend\n")  # each viewer: one 1 s segment per second
    prod_port, plain_port, app_port = free_port(), free_port(), free_port()
    server = render(secret=secret, video_root=video_root, app=f"127.0.0.1:{app_port}", listen=str(prod_port))
    plain = (f"server {{ listen {plain_port} reuseport backlog=4096; sendfile on; tcp_nopush on; "
             f"keepalive_requests 10000; open_file_cache max=1000; "
             f"location /plain/ {{ alias {video_root}/; }} }}")
    prefix = work / "nginx"
    conf = prefix / "nginx.conf"
    prefix.mkdir()
    conf.write_text(standalone(server, prefix, extra=plain))
    env = {**os.environ, "CG_DEMO_MODE": "1", "CG_DATA_DIR": str(work / "data"), "CG_SECRET_KEY": secret * 3,
           "CG_VIDEO_DIR": str(video_root), "CG_VIDEO_MEDIA_SECRET": secret, "CG_VIDEO_RECORD": "0",
           "CG_LOG_JSON": "1", "CG_DATABASE_URL": f"sqlite:///{work / 'data' / 'bench.db'}"}
    (work / "data").mkdir()
    subprocess.run([sys.executable, "-c", "from campusguard.core.migrate import upgrade; import os; "
                    "upgrade(os.environ['CG_DATABASE_URL'])"], env=env, check=True)
    nginx = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf)], stderr=subprocess.DEVNULL)
    app = subprocess.Popen([sys.executable, "-m", "uvicorn", "campusguard.app:create_app", "--factory",
                            "--host", "127.0.0.1", "--port", str(app_port), "--workers", str(app_workers),
                            "--log-level", "warning", "--no-access-log", "--backlog", "4096"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        path, _ = media_url(secret, "live/cam1", seg.name, 3600)
        prod_url = f"http://127.0.0.1:{prod_port}{path}"
        plain_url = f"http://127.0.0.1:{plain_port}/plain/live/cam1/{seg.name}"
        app_url = f"http://127.0.0.1:{app_port}{path}"
        _wait_http(plain_url)
        _wait_http(prod_url)
        _wait_http(app_url)
        expired_path = media_url(secret, "live/cam1", seg.name, -10)[0]
        checks = {"tampered": _status(prod_url.replace(path.split("/")[5], "A" * 22)),
                  "expired": _status(f"http://127.0.0.1:{prod_port}{expired_path}")}
        prod = _wrk(prod_url, viewers, seconds)
        base = _wrk(plain_url, viewers, seconds)
        app_only = _wrk(app_url, viewers, seconds)
        phone_path, _ = media_url(secret, "live/cam2", phone.name, 3600)
        paced = _wrk(f"http://127.0.0.1:{prod_port}{phone_path}", viewers, seconds, pace_script=pace)
        paced_base = _wrk(f"http://127.0.0.1:{plain_port}/plain/live/cam2/{phone.name}", viewers, seconds,
                          pace_script=pace)
    finally:
        app.terminate()
        nginx.terminate()
        app.wait(15)
        nginx.wait(15)
        shutil.rmtree(work, ignore_errors=True)
    out: dict[str, Any] = {"bench": "viewers", "viewers": viewers, "seconds": seconds,
                           "segment_bytes": seg_bytes}
    out.update({k: prod[k] for k in ("p50_ms", "p99_ms", "errors", "mb_per_s", "rps")})
    out.update({f"baseline_{k}": base[k] for k in ("p50_ms", "p99_ms", "errors", "mb_per_s", "rps")})
    out.update({f"app_{k}": app_only[k] for k in ("p50_ms", "p99_ms", "errors", "mb_per_s", "rps")})
    out["paced_segment_bytes"] = phone_bytes
    out.update({f"paced_{k}": paced[k] for k in ("p50_ms", "p99_ms", "errors", "mb_per_s", "rps")})
    out.update({f"paced_baseline_{k}": paced_base[k] for k in ("p50_ms", "p99_ms", "errors", "mb_per_s", "rps")})
    out["throughput_ratio"] = round(prod["mb_per_s"] / base["mb_per_s"], 3) if base["mb_per_s"] else None
    out["refused"] = checks
    out["machine_load_1m"] = round(os.getloadavg()[0], 2)
    return out


def _status(url: str) -> int:
    return httpx.get(url, timeout=5).status_code
