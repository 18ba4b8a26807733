"""The real dlib engine on real photos: detection, embeddings, calibrated distances, worker pool."""

from __future__ import annotations

import numpy as np
import pytest

from campusguard.face.engine import DlibEngine, FaceEngine, load_engine
from campusguard.face.index import DEFAULT_THRESHOLD, distance_from_similarity
from campusguard.face.pool import FacePool


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    return float(distance_from_similarity(float(a @ b)))


def test_engine_implements_protocol() -> None:
    engine = load_engine()
    assert isinstance(engine, FaceEngine)
    assert isinstance(engine, DlibEngine)
    assert engine.dim == 128


def test_bad_engine_spec_is_refused() -> None:
    with pytest.raises(ValueError):
        load_engine("no_colon_here")
    with pytest.raises(TypeError):
        load_engine("collections:OrderedDict")


def test_one_face_with_unit_embedding(analysed) -> None:
    a = analysed("obama/1.jpg")
    assert len(a.faces) == 1
    face = a.faces[0]
    assert face.embedding.dtype == np.float32 and face.embedding.shape == (128,)
    assert abs(float(np.linalg.norm(face.embedding)) - 1.0) < 1e-4
    assert len(face.detection.landmarks) == 5
    assert face.crop_jpeg.startswith(b"\xff\xd8\xff")


def test_same_person_close_stranger_far(analysed) -> None:
    obama1 = analysed("obama/1.jpg").faces[0].embedding
    obama2 = analysed("obama/2.jpg").faces[0].embedding
    stranger = analysed("lin_manuel_miranda/1.jpg").faces[0].embedding
    biden = analysed("biden/1.jpg").faces[0].embedding
    assert _dist(obama1, obama2) < DEFAULT_THRESHOLD
    assert _dist(obama1, stranger) > DEFAULT_THRESHOLD
    assert _dist(obama1, biden) > DEFAULT_THRESHOLD


def test_group_photo_has_two_faces(analysed) -> None:
    a = analysed("_groups/kit_with_rose.jpg")
    assert len(a.faces) == 2
    kit = analysed("kit_harington/1.jpg").faces[0].embedding
    assert min(_dist(f.embedding, kit) for f in a.faces) < DEFAULT_THRESHOLD


def test_worker_processes_give_same_embedding(photo, analysed) -> None:
    pool = FacePool(workers=1).start()
    try:
        remote = pool.analyse(photo("obama/2.jpg"))
    finally:
        pool.close()
    local = analysed("obama/2.jpg")
    assert np.allclose(remote.faces[0].embedding, local.faces[0].embedding, atol=1e-5)
