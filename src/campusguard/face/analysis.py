"""One image through the engine: faces with boxes, quality, embeddings and JPEG crops."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from campusguard.face import imaging, quality
from campusguard.face.engine import Detection, FaceEngine


@dataclass(frozen=True, slots=True)
class FaceResult:
    """A found face, picklable so worker processes can hand it back."""

    detection: Detection
    quality: quality.FaceQuality
    embedding: np.ndarray
    crop_jpeg: bytes


@dataclass(frozen=True, slots=True)
class Analysis:
    width: int
    height: int
    faces: list[FaceResult]
    engine: str
    cpu_s: float = 0.0


def analyse_array(engine: FaceEngine, image: np.ndarray, *, upsample: int = 0,
                  max_faces: int = 20, crops: bool = True) -> Analysis:
    """Detect, align and embed every face (largest first, capped) in an RGB image."""
    started = time.process_time()
    detections: list[Detection] = engine.detect(image, upsample=upsample)[:max_faces]
    chips = [engine.align(image, d) for d in detections]
    embeddings = engine.embed(chips)
    faces = [
        FaceResult(
            detection=d,
            quality=quality.measure(d, chip),
            embedding=embeddings[i],
            crop_jpeg=imaging.to_jpeg(imaging.crop(image, d.box), max_side=256) if crops else b"",
        )
        for i, (d, chip) in enumerate(zip(detections, chips, strict=True))
    ]
    return Analysis(width=image.shape[1], height=image.shape[0], faces=faces, engine=engine.name,
                    cpu_s=time.process_time() - started)


def analyse_bytes(engine: FaceEngine, data: bytes, *, upsample: int = 0, max_side: int = imaging.MAX_SIDE,
                  crops: bool = True) -> Analysis:
    return analyse_array(engine, imaging.decode_rgb(data, max_side=max_side), upsample=upsample, crops=crops)
