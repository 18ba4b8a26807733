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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from campusguard.adapters.ffmpeg.commands import FRAG_MOVFLAGS, bare_copy_args
from campusguard.adapters.ffmpeg.live import LiveRegistry, RecordingLive
from campusguard.adapters.ffmpeg.recorder import GapInfo, Recorder
from campusguard.adapters.ffmpeg.segments import STAMP, SegmentInfo
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
class RecRun:
    """What one recorders phase measured and collected."""

    ffmpeg_cpu: float
    indexer_cpu: float
    sim_cpu: float
    started: datetime
    ended: datetime
    segs: dict[int, list[SegmentInfo]]
    gaps: list[GapInfo]
    restarts: int
    live: dict[str, Any] = field(default_factory=dict)


def _live_stats(lives: list[RecordingLive], before: list[int], cpu_before: float, seconds: float
                ) -> dict[str, Any]:
    """Parts listed per camera and second over the window, cameras whose playlist stood still, index CPU."""
    if not lives:
        return {}
    listed = [lv.published - b for lv, b in zip(lives, before, strict=True)]
    return {"live_parts_per_camera_s": round(sum(listed) / len(lives) / seconds, 3),
            "live_cameras_stalled": sum(1 for n in listed if n == 0),
            "live_index_cpu_pct_per_camera": round(
                100 * (sum(lv.cpu_s for lv in lives) - cpu_before) / seconds / len(lives), 4),
            "live_discontinuities": sum(lv.discontinuities for lv in lives)}


async def _recorders(sim: SimCameras, n: int, seconds: float, work: Path, segment_s: int,
                     stagger_s: float, hls: bool) -> RecRun:
    segs: dict[int, list[SegmentInfo]] = {i: [] for i in range(1, n + 1)}
    gaps: list[GapInfo] = []
    recs: list[Recorder] = []
    registry = LiveRegistry(work / "live", idle_s=10 * seconds)
    lives: list[RecordingLive] = []
    for i in range(1, n + 1):
        async def on_segment(seg: SegmentInfo, i: int = i) -> None:
            segs[i].append(seg)

        async def on_gap(gap: GapInfo) -> None:
            gaps.append(gap)

        rec = Recorder(f"b{i}", sim.url(i), work / f"rec{i}", on_segment=on_segment, on_gap=on_gap,
                       segment_s=segment_s)
        rec.start()
        recs.append(rec)
        if hls:  # somebody watches every camera: its live playlist is indexed from the recording
            live = registry.recorded(f"cam{i}", work / f"rec{i}", segment_s)
            assert isinstance(live, RecordingLive)
            live.touch()
            lives.append(live)
        await asyncio.sleep(stagger_s)
    await asyncio.sleep(4)
    started = datetime.now().astimezone()
    before, cpu_before = [lv.published for lv in lives], sum(lv.cpu_s for lv in lives)
    ffmpeg_cpu, indexer_cpu, sim_cpu = await _measure(seconds, sim)
    ended = datetime.now().astimezone()
    live_stats = _live_stats(lives, before, cpu_before, seconds)
    restarts = sum(r.process.restarts for r in recs)
    await registry.stop()
    await asyncio.gather(*(r.stop() for r in recs))
    return RecRun(ffmpeg_cpu, indexer_cpu, sim_cpu, started, ended, segs, gaps, restarts, live_stats)


def missing_coverage(run: RecRun, segment_s: int) -> tuple[int, float, int]:
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
                          bitrate: int = 2000, stagger_s: float = 0.25, hls: bool = False) -> dict[str, Any]:
    """N cameras recorded (fMP4 segments, indexed) at once vs N bare `ffmpeg -c copy`.

    The recorders run as the recording worker runs them (VideoNode: one ffmpeg per camera writing
    fMP4 segments, indexed by this process). `hls=True` also watches every camera live, the worst
    case: each camera's live playlist is indexed from its recording by this process, as the app does
    (RecordingLive), and that CPU is in `cpu_pct_per_camera` (this process's CPU is counted whole).
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
        run = await _recorders(sim, cameras, seconds, work, segment_s, stagger_s, hls)
        load = os.getloadavg()
    finally:
        sim.stop()
        sim_stats = _read_json(work / "sim.json")
        shutil.rmtree(work, ignore_errors=True)
    dropped, missing_s, silent = missing_coverage(run, segment_s)
    per = 100 * (run.ffmpeg_cpu + run.indexer_cpu) / seconds / cameras
    base = 100 * bare_cpu / seconds / max(1, cameras - bare_died)  # per copy that ran the whole window
    in_window = sum(1 for v in run.segs.values() for s in v if s.end > run.started)
    return {
        "bench": "recording", "cameras": cameras, "size": size, "bitrate_kbps": bitrate, "seconds": seconds,
        "segment_s": segment_s, "stagger_s": stagger_s,
        "live_hls": "indexed from the recording, every camera watched" if hls else "none watched",
        "cpu_pct_per_camera": round(per, 3),
        "baseline_cpu_pct_per_camera": round(base, 3),
        "ffmpeg_cpu_pct_per_camera": round(100 * run.ffmpeg_cpu / seconds / cameras, 3),
        "indexer_cpu_pct_per_camera": round(100 * run.indexer_cpu / seconds / cameras, 3),
        "ratio": round(per / base, 3) if base else None, "segments": in_window,
        "dropped_segments": dropped, "missing_s": round(missing_s, 2), "cameras_without_segments": silent,
        "gaps_reported": len(run.gaps), "restarts": run.restarts, "baseline_processes_died": bare_died,
        "simulator_cpu_pct": round(100 * run.sim_cpu / seconds, 2),
        "simulator_cpu_pct_baseline_phase": round(100 * bare_sim_cpu / seconds, 2),
        "simulator": sim_stats, "nofile_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        "machine_load": [round(x, 2) for x in load], "cpus": os.cpu_count(), **run.live,
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


def _wrk(url: str, viewers: int, seconds: float, threads: int = 2, pace_script: Path | None = None,
         header: str | None = None) -> dict[str, float]:
    extra = ["-s", str(pace_script)] if pace_script else []
    extra += ["-H", header] if header else []
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


def _make_stream(root: Path, cam: str, size: str, kbps: int, seconds: int = 6) -> list[tuple[str, int, int]]:
    """A watched camera as the platform keeps it: a recording file (fMP4, a fragment per 1 s GOP) and the
    live index's playlist of byte ranges into it, written by RecordingLive itself. Returns the parts
    listed: (file in the live folder, offset, length)."""
    now = datetime.now(UTC)
    day = root / "rec" / cam / now.strftime("%Y%m%d")
    day.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=s={size}:r=25", "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                    "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-b:v", f"{kbps}k",
                    "-maxrate", f"{kbps}k", "-bufsize", f"{kbps * 2}k", "-movflags", FRAG_MOVFLAGS,
                    str(day / (now.strftime(STAMP) + ".mp4"))], check=True)
    live = RecordingLive(cam, root / "rec" / cam, root / "live" / cam, segment_s=3600, list_size=seconds)
    live.hls_dir.mkdir(parents=True, exist_ok=True)
    live.tick()
    live.close()
    return [(p.link, p.offset, p.length) for p in live.parts]


# A real HLS client: reload the playlist every target duration and fetch the one new segment. wrk's
# Lua state is per thread, so requests alternate playlist/segment per thread and the spacing is drawn
# uniformly from [0.25, 0.75] s: on average each connection fetches one playlist and one segment per
# second (the segment rate) and viewers drift apart instead of marching in lockstep.
_PACE = """
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
local n, k = 0, 0
local segs = {%(segs)s}
local ranges = {%(ranges)s}
function init(args) math.randomseed(os.time() * 1000 + (tid or 0)) k = math.random(0, #segs - 1) end
function request()
  n = n + 1
  if n %% 2 == 1 then return wrk.format("GET", "%(playlist)s") end
  k = k %% #segs + 1
  return wrk.format("GET", segs[k], {["Range"] = ranges[k]})
end
function delay() return math.random(250, 750) end
"""


def _range(offset: int, length: int) -> str:
    return f"bytes={offset}-{offset + length - 1}"


def _pace_script(path: Path, base: str, parts: list[tuple[str, int, int]]) -> Path:
    listed = ", ".join(f'"{base}/{name}"' for name, _, _ in parts)
    ranges = ", ".join(f'"{_range(off, n)}"' for _, off, n in parts)
    path.write_text(_PACE % {"segs": listed, "ranges": ranges, "playlist": f"{base}/index.m3u8"})
    return path


_KEYS = ("p50_ms", "p99_ms", "errors", "mb_per_s", "rps")


def bench_viewers(viewers: int = 1000, seconds: float = 20, app_workers: int = 1,
                  saturate_s: float = 10) -> dict[str, Any]:
    """N concurrent live viewers via nginx+secure_link vs plain nginx vs the app alone.

    Main figures: paced viewers (a real HLS client's request pattern on a 640x360 stream; live views
    show the recorded stream, so a 1080p camera's parts are about 3.5x larger). Stress figures: the
    same number of connections fetching a 1080p part back to back as fast as the machine allows
    (saturated; wrk competes with nginx for the 2 cores). Parts are byte ranges of the recording's
    fMP4 file, listed by the live index (RecordingLive) exactly as for a watched camera.
    """
    if shutil.which("wrk") is None or shutil.which("nginx") is None:
        raise RuntimeError("needs wrk and nginx (apt-get install wrk nginx)")
    work = Path(tempfile.mkdtemp(prefix="cg-bench-view-"))
    work.chmod(0o755)  # nginx workers run unprivileged and must read the video folder
    secret = "bench-" + os.urandom(8).hex()
    video_root = work / "video"
    sub = _make_stream(video_root, "cam2", "640x360", 600)
    main = _make_stream(video_root, "cam1", "1920x1080", 2200)
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
    runs: dict[str, dict[str, float]] = {}
    try:
        signed = {cam: media_url(secret, f"live/{cam}", "x", 3600)[0].rsplit("/", 1)[0] for cam in ("cam1", "cam2")}
        bases = {"prod": (prod_port, signed["cam2"]), "plain": (plain_port, "/plain/live/cam2"),
                 "app": (app_port, signed["cam2"])}
        for port, base in bases.values():
            _wait_http(f"http://127.0.0.1:{port}{base}/index.m3u8")
        expired_path = media_url(secret, "live/cam2", "index.m3u8", -10)[0]
        sig = signed["cam2"].split("/")[5]
        checks = {"tampered": _status(f"http://127.0.0.1:{prod_port}{signed['cam2'].replace(sig, 'A' * 22)}"
                                      "/index.m3u8"),
                  "expired": _status(f"http://127.0.0.1:{prod_port}{expired_path}")}
        for name, (port, base) in bases.items():
            script = _pace_script(work / f"pace-{name}.lua", base, sub)
            runs[f"paced_{name}"] = _wrk(f"http://127.0.0.1:{port}{base}/index.m3u8", viewers, seconds,
                                         pace_script=script)
        one, off, length = main[len(main) // 2]
        rng = f"Range: {_range(off, length)}"
        runs["saturated_prod"] = _wrk(f"http://127.0.0.1:{prod_port}{signed['cam1']}/{one}", viewers, saturate_s,
                                      header=rng)
        runs["saturated_plain"] = _wrk(f"http://127.0.0.1:{plain_port}/plain/live/cam1/{one}", viewers,
                                       saturate_s, header=rng)
        load = os.getloadavg()
        app_alive = app.poll() is None
    finally:
        app.terminate()
        nginx.terminate()
        app.wait(15)
        nginx.wait(15)
        sizes = {"sub": sum(n for _, _, n in sub) // max(1, len(sub)),
                 "main": sum(n for _, _, n in main) // max(1, len(main))}
        shutil.rmtree(work, ignore_errors=True)
    out: dict[str, Any] = {
        "bench": "viewers", "viewers": viewers, "seconds": seconds, "saturate_s": saturate_s,
        "method": "paced: per viewer ~1 playlist + 1 new 1 s part per second (HLS client; a part is a byte "
                  "range of the recording's fMP4, as the live index lists it), 640x360 stream, spacing "
                  "U[0.25,0.75] s; saturated: back-to-back 1080p part fetches",
        "paced_segment_bytes": sizes["sub"], "saturated_segment_bytes": sizes["main"],
    }
    # headline = paced production path against paced plain nginx (the targets apply to these)
    out.update({k: runs["paced_prod"][k] for k in _KEYS})
    out.update({f"baseline_{k}": runs["paced_plain"][k] for k in _KEYS})
    out.update({f"app_{k}": runs["paced_app"][k] for k in _KEYS})
    out["app_survived"] = app_alive
    for kind in ("prod", "plain"):
        out.update({f"saturated_{kind}_{k}": runs[f"saturated_{kind}"][k] for k in _KEYS})
    out["throughput_ratio"] = _ratio(runs["paced_prod"]["mb_per_s"], runs["paced_plain"]["mb_per_s"])
    out["saturated_throughput_ratio"] = _ratio(runs["saturated_prod"]["mb_per_s"],
                                               runs["saturated_plain"]["mb_per_s"])
    out["app_throughput_ratio"] = _ratio(runs["paced_app"]["mb_per_s"], runs["paced_plain"]["mb_per_s"])
    out["refused"] = checks
    out["machine_load"] = [round(x, 2) for x in load]
    return out


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _status(url: str) -> int:
    return httpx.get(url, timeout=5).status_code
