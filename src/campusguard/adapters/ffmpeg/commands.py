"""Builds ffmpeg command lines; every one copies the camera's packets (no transcoding)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# A fragment per keyframe and an empty moov: a crash loses at most the open fragment (about a GOP).
FRAG_MOVFLAGS = "+frag_keyframe+empty_moov+default_base_moof"
SEGMENT_PATTERN = "%Y%m%d/%Y%m%dT%H%M%SZ.mp4"


@dataclass(frozen=True)
class RecordSpec:
    """What one recorder process writes."""

    url: str
    out_dir: Path
    segment_list: Path
    segment_s: int = 10
    rw_timeout_s: float = 5.0


def input_args(url: str, rw_timeout_s: float = 5.0) -> list[str]:
    """Pull over TCP (no UDP loss), give up when the camera is silent for rw_timeout_s."""
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning"]
    if url.startswith("rtsp://"):
        args += ["-rtsp_transport", "tcp", "-timeout", str(int(rw_timeout_s * 1_000_000))]
    return [*args, "-fflags", "+genpts", "-i", url]


def _segment_opts(spec: RecordSpec) -> dict[str, str]:
    return {
        "segment_time": str(spec.segment_s),
        "segment_format": "mp4",
        "segment_format_options": f"movflags={FRAG_MOVFLAGS}",
        "strftime": "1",
        "reset_timestamps": "1",
        "segment_list": str(spec.segment_list),
        "segment_list_type": "csv",
        "segment_list_flags": "live",
    }


def _hls_opts(hls_dir: Path, hls_time_s: float, list_size: int) -> dict[str, str]:
    return {
        "hls_time": f"{hls_time_s:g}",
        "hls_list_size": str(list_size),
        "hls_flags": "delete_segments+independent_segments+omit_endlist+temp_file",
        "hls_segment_filename": str(hls_dir / "seg%06d.ts"),
    }


def record_args(spec: RecordSpec) -> list[str]:
    """Recorder: fMP4 segments named by wall-clock time (live HLS is indexed from them, no second muxer)."""
    args = input_args(spec.url, spec.rw_timeout_s) + ["-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-f", "segment"]
    for key, value in _segment_opts(spec).items():
        args += [f"-{key}", value]
    return [*args, str(spec.out_dir / SEGMENT_PATTERN)]


def hls_args(url: str, hls_dir: Path, hls_time_s: float = 1.0, list_size: int = 6,
             rw_timeout_s: float = 5.0) -> list[str]:
    """Live packager of a camera that is not recorded: 1 s MPEG-TS segments, sliding window."""
    args = input_args(url, rw_timeout_s) + ["-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-f", "hls"]
    for key, value in _hls_opts(hls_dir, hls_time_s, list_size).items():
        args += [f"-{key}", value]
    return [*args, str(hls_dir / "index.m3u8")]


def bare_copy_args(url: str, out: Path) -> list[str]:
    """The benchmark baseline: the cheapest possible stream copy to one file."""
    return input_args(url) + ["-map", "0:v:0", "-c", "copy", "-f", "mpegts", "-y", str(out)]


def concat_args(list_file: Path, out: Path, offset_s: float, duration_s: float) -> list[str]:
    """Cut a range out of consecutive segments into one faststart MP4 (copy, cuts at keyframes)."""
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "concat", "-safe", "0", "-i", str(list_file),
        "-ss", f"{max(offset_s, 0):.3f}", "-t", f"{duration_s:.3f}",
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-movflags", "+faststart", str(out),
    ]
