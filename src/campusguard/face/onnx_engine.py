"""A user-supplied ArcFace-style ONNX embedder behind the FaceEngine interface (dlib still finds the face).

Select it with `CG_FACE_ENGINE=campusguard.face.onnx_engine:OnnxFaceEngine` and
`CG_FACE_ONNX_MODEL=/path/to/model.onnx`; needs the `onnx` extra (onnxruntime). See docs/face-engines.md.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import structlog
from PIL import Image

from campusguard.face.engine import Detection, DlibEngine, normalise

log = structlog.get_logger(__name__)

# ArcFace's 112x112 reference points (InsightFace): eyes, nose tip, mouth corners. dlib's 5-point model
# gives eye corners and the base of the nose, so alignment uses the eye centres and the nose, with the
# nose point moved down to where the base of the nose sits in the reference crop.
ARCFACE_LEFT_EYE = (38.2946, 51.6963)  # in the image: the eye on the left
ARCFACE_RIGHT_EYE = (73.5318, 51.5014)
ARCFACE_NOSE_BASE = (56.0252, 76.0)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares rotation+scale+translation taking `src` points onto `dst` ((n, 2) each) as a 2x3 matrix."""
    rows, rhs = [], []
    for (u, v), (x, y) in zip(src, dst, strict=True):
        rows += [[u, -v, 1.0, 0.0], [v, u, 0.0, 1.0]]
        rhs += [x, y]
    a, b, tx, ty = np.linalg.lstsq(np.asarray(rows), np.asarray(rhs), rcond=None)[0]
    return np.array([[a, -b, tx], [b, a, ty]], dtype=np.float64)


class OnnxFaceEngine:
    """dlib HOG detection and 5-point landmarks, alignment to ArcFace's template, embeddings from ONNX Runtime."""

    chip_size = 112

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        mean: float | None = None,
        std: float | None = None,
        bgr: bool | None = None,
        detector: DlibEngine | None = None,
    ) -> None:
        import onnxruntime as ort  # optional extra: only deployments with a model need it

        raw = model or os.environ.get("CG_FACE_ONNX_MODEL")
        if not raw:
            raise FileNotFoundError("no ONNX face model: set CG_FACE_ONNX_MODEL to the .onnx file")
        path = Path(raw)
        if not path.is_file():
            raise FileNotFoundError(f"ONNX face model not found: {path}")
        self.mean = float(os.environ.get("CG_FACE_ONNX_MEAN", "127.5")) if mean is None else mean
        self.std = float(os.environ.get("CG_FACE_ONNX_STD", "127.5")) if std is None else std
        self.bgr = os.environ.get("CG_FACE_ONNX_BGR", "0").lower() in ("1", "true", "yes") if bgr is None else bgr
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one engine per worker process, one worker per core
        options.inter_op_num_threads = 1
        self._session: Any = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        inp = self._session.get_inputs()[0]
        self._input = str(inp.name)
        shape = list(inp.shape)
        if len(shape) != 4 or 3 not in (shape[1], shape[3]):
            raise ValueError(f"{path.name}: expected an image input (N,3,H,W) or (N,H,W,3), got {shape}")
        self._nchw = shape[1] == 3
        self._one_at_a_time = shape[0] == 1  # many exports fix the batch to 1
        size = shape[2] if self._nchw else shape[1]
        if isinstance(size, int) and size > 0:
            self.chip_size = size
        self._detector = detector or DlibEngine()
        self._lock = threading.Lock()
        self.dim = int(self.embed([np.zeros((self.chip_size, self.chip_size, 3), np.uint8)]).shape[1])
        self.name = f"onnx-{path.stem}"
        log.info("face.onnx.loaded", model=str(path), dim=self.dim, chip=self.chip_size, nchw=self._nchw)

    def detect(self, image: np.ndarray, *, upsample: int = 0) -> list[Detection]:
        return self._detector.detect(image, upsample=upsample)

    def align(self, image: np.ndarray, face: Detection) -> np.ndarray:
        pts = np.asarray(face.landmarks, dtype=np.float64)
        if len(pts) != 5:
            raise ValueError(f"alignment needs dlib's 5 landmarks, got {len(pts)}")
        eye_a, eye_b, nose = pts[0:2].mean(axis=0), pts[2:4].mean(axis=0), pts[4]
        left, right = (eye_a, eye_b) if eye_a[0] < eye_b[0] else (eye_b, eye_a)
        scale = self.chip_size / 112.0
        template = np.array([ARCFACE_LEFT_EYE, ARCFACE_RIGHT_EYE, ARCFACE_NOSE_BASE]) * scale
        m = similarity_transform(template, np.stack([left, right, nose]))  # chip -> image, as PIL wants
        chip = Image.fromarray(np.ascontiguousarray(image)).transform(
            (self.chip_size, self.chip_size),
            Image.Transform.AFFINE,
            tuple(m.ravel()),
            resample=Image.Resampling.BILINEAR,
        )
        return np.asarray(chip, dtype=np.uint8)

    def preprocess(self, chips: Sequence[np.ndarray]) -> np.ndarray:
        """RGB uint8 chips -> the float32 batch the model takes: (x - mean) / std, channel order, layout."""
        batch = np.stack([np.asarray(c, dtype=np.float32) for c in chips])
        if self.bgr:
            batch = batch[..., ::-1]
        batch = (batch - self.mean) / self.std
        if self._nchw:
            batch = batch.transpose(0, 3, 1, 2)
        return np.ascontiguousarray(batch, dtype=np.float32)

    def embed(self, chips: Sequence[np.ndarray]) -> np.ndarray:
        if not chips:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        batch = self.preprocess(chips)
        with self._lock:
            if self._one_at_a_time:
                outs = [self._session.run(None, {self._input: batch[i : i + 1]})[0] for i in range(len(batch))]
                out = np.concatenate(outs)
            else:
                out = self._session.run(None, {self._input: batch})[0]
        return normalise(np.asarray(out, dtype=np.float32).reshape(len(chips), -1))
