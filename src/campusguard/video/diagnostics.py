"""Image-quality diagnostics on a few keyframes decoded with PyAV: no signal, frozen, black, blur."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np
import structlog

log = structlog.get_logger(__name__)

# Thresholds on 8-bit luma. Calibrated on the simulator's scenes and typical camera footage.
FROZEN_MAX_DIFF = 0.5  # mean absolute difference between consecutive samples
UNIFORM_MAX_STD = 6.0  # a black, grey or fully covered image has almost no spread
BLACK_MAX_MEAN = 25.0
BLUR_MIN_LAPLACIAN = 25.0  # variance of the Laplacian: sharp scenes are in the hundreds or more


@dataclass(frozen=True)
class Finding:
    """One problem seen on a camera; kind is the issue code stored in video_issues."""

    kind: str
    severity: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sample:
    """The decoded evidence: luma planes of sampled keyframes and what the stream said about itself."""

    frames: list[np.ndarray]
    width: int = 0
    height: int = 0
    codec: str = ""
    fps: float = 0.0
    error: str | None = None


def sample(url: str, *, count: int = 4, timeout_s: float = 8.0, max_packets: int = 2000) -> Sample:
    """Decode `count` keyframes only (skip_frame=NONKEY): about one frame a GOP, cheap enough to run often."""
    options = {"rtsp_transport": "tcp", "timeout": str(int(timeout_s * 1_000_000))}
    if not url.startswith("rtsp://"):
        options = {}
    try:
        container = av.open(url, options=options, timeout=timeout_s)
    except (av.FFmpegError, OSError) as exc:
        return Sample([], error=str(exc)[:300] or type(exc).__name__)
    frames: list[np.ndarray] = []
    deadline = time.monotonic() + timeout_s * 2
    try:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        ctx.skip_frame = "NONKEY"
        result = Sample(frames, width=ctx.width, height=ctx.height, codec=ctx.name,
                        fps=float(stream.average_rate or stream.guessed_rate or 0))
        packets = 0
        for packet in container.demux(stream):
            packets += 1
            if packets > max_packets or time.monotonic() > deadline:
                break
            for frame in packet.decode():
                if not isinstance(frame, av.VideoFrame):
                    continue
                frames.append(frame.to_ndarray(format="gray"))
                result.width, result.height = frame.width, frame.height
            if len(frames) >= count:
                break
        if not frames:
            result.error = "no decodable frame"
        return result
    except (av.FFmpegError, OSError, IndexError) as exc:
        return Sample(frames, error=str(exc)[:300] or type(exc).__name__)
    finally:
        container.close()


def laplacian_variance(gray: np.ndarray) -> float:
    """Focus measure: variance of the 4-neighbour Laplacian (low = blurred, defocused or smeared)."""
    img = gray.astype(np.float32)
    lap = (img[1:-1, :-2] + img[1:-1, 2:] + img[:-2, 1:-1] + img[2:, 1:-1]) - 4 * img[1:-1, 1:-1]
    return float(lap.var())


def analyse(result: Sample, *, min_height: int = 720) -> list[Finding]:
    """Turn a sample into findings; an empty list means the picture looks healthy."""
    if result.error and not result.frames:
        return [Finding("no_signal", "critical", {"reason": result.error})]
    findings: list[Finding] = []
    frames = result.frames
    last = frames[-1]
    mean, std = float(last.mean()), float(last.std())
    if std < UNIFORM_MAX_STD:
        kind = "black" if mean < BLACK_MAX_MEAN else "uniform"
        findings.append(Finding(kind, "major", {"mean": round(mean, 1), "std": round(std, 2)}))
    else:
        focus = laplacian_variance(last)
        if focus < BLUR_MIN_LAPLACIAN:
            findings.append(Finding("blur", "minor", {"laplacian_var": round(focus, 2)}))
    if len(frames) >= 2:
        diffs = [float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())
                 for a, b in zip(frames, frames[1:], strict=False)]
        if max(diffs) <= FROZEN_MAX_DIFF and std >= UNIFORM_MAX_STD:
            findings.append(Finding("frozen", "major", {"max_diff": round(max(diffs), 3),
                                                        "samples": len(frames)}))
    if result.height and result.height < min_height:
        findings.append(Finding("low_resolution", "minor",
                                {"width": result.width, "height": result.height, "min_height": min_height}))
    return findings


def diagnose(url: str, *, min_height: int = 720, count: int = 4,
             timeout_s: float = 8.0) -> tuple[Sample, list[Finding]]:
    """Sample and analyse one camera (blocking: run it in a worker thread)."""
    result = sample(url, count=count, timeout_s=timeout_s)
    findings = analyse(result, min_height=min_height)
    log.info("camera diagnosed", url=url.split("@")[-1], findings=[f.kind for f in findings])
    return result, findings
