"""Face engine behind one interface: detect, align, embed (dlib by default, replaceable)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import structlog

log = structlog.get_logger(__name__)

EMBEDDING_DIM = 128
DEFAULT_ENGINE = "campusguard.face.engine:DlibEngine"


@dataclass(frozen=True, slots=True)
class Detection:
    """One detected face: pixel box (left, top, right, bottom), 5 landmarks and detector score."""

    box: tuple[int, int, int, int]
    landmarks: tuple[tuple[float, float], ...]
    score: float

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


@runtime_checkable
class FaceEngine(Protocol):
    """What recognition needs from a model; an ONNX ArcFace can implement the same three calls."""

    name: str
    dim: int
    chip_size: int

    def detect(self, image: np.ndarray, *, upsample: int = 0) -> list[Detection]:
        """Find faces in an RGB uint8 image (H, W, 3)."""
        ...

    def align(self, image: np.ndarray, face: Detection) -> np.ndarray:
        """Return the aligned RGB face chip (chip_size, chip_size, 3) the embedder expects."""
        ...

    def embed(self, chips: Sequence[np.ndarray]) -> np.ndarray:
        """Return an (n, dim) float32 matrix of L2-normalised embeddings, one row per chip."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows so distance thresholds are model-scale independent."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = (arr / norms).astype(np.float32, copy=False)
    return out


class DlibEngine:
    """dlib HOG detector + 5-point alignment + ResNet-34 embeddings (face_recognition_models)."""

    name = "dlib-resnet-v1"
    dim = EMBEDDING_DIM
    chip_size = 150
    chip_padding = 0.25

    def __init__(self, *, min_score: float = 0.0) -> None:
        import dlib  # heavy import deferred so the API process stays light
        import face_recognition_models as frm

        self._dlib: Any = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
        self._net = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
        self._min_score = min_score
        self._lock = threading.Lock()  # the ResNet object is not documented as thread-safe

    def detect(self, image: np.ndarray, *, upsample: int = 0) -> list[Detection]:
        rects, scores, _ = self._detector.run(image, upsample, 0.0)
        out: list[Detection] = []
        h, w = image.shape[:2]
        for rect, score in zip(rects, scores, strict=True):
            if score < self._min_score:
                continue
            shape = self._shape(image, rect)
            pts = tuple((float(p.x), float(p.y)) for p in shape.parts())
            box = (max(0, rect.left()), max(0, rect.top()), min(w, rect.right()), min(h, rect.bottom()))
            out.append(Detection(box=box, landmarks=pts, score=float(score)))
        out.sort(key=lambda d: d.width * d.height, reverse=True)
        return out

    def _full_object(self, face: Detection) -> Any:
        dlib = self._dlib
        left, top, right, bottom = face.box
        rect = dlib.rectangle(left, top, right, bottom)
        points = dlib.points()
        for x, y in face.landmarks:
            points.append(dlib.point(round(x), round(y)))
        return dlib.full_object_detection(rect, points)

    def align(self, image: np.ndarray, face: Detection) -> np.ndarray:
        chip = self._dlib.get_face_chip(image, self._full_object(face), size=self.chip_size,
                                        padding=self.chip_padding)
        return np.asarray(chip, dtype=np.uint8)

    def embed(self, chips: Sequence[np.ndarray]) -> np.ndarray:
        if not chips:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            raw = self._net.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
        return normalise(np.array([np.asarray(v) for v in raw], dtype=np.float32))


def load_engine(spec: str = DEFAULT_ENGINE, **kwargs: Any) -> FaceEngine:
    """Instantiate an engine from "module:Class" so deployments can plug in another model."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"engine spec must be 'module:Class', got {spec!r}")
    cls = getattr(importlib.import_module(module_name), attr)
    engine = cls(**kwargs)
    if not isinstance(engine, FaceEngine):
        raise TypeError(f"{spec} does not implement FaceEngine")
    log.info("face.engine.loaded", engine=engine.name, dim=engine.dim)
    return engine
