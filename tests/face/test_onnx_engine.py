"""The ONNX engine's plumbing with tiny models built here: preprocessing, layout, alignment, the interface."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from campusguard.face.analysis import analyse_bytes
from campusguard.face.engine import FaceEngine
from campusguard.face.index import VectorIndex
from campusguard.face.onnx_engine import OnnxFaceEngine, similarity_transform
from campusguard.face.pool import FacePool

SPEC = "campusguard.face.onnx_engine:OnnxFaceEngine"


def _save(tmp_path: Path, name: str, nodes, inp, out, inits=()) -> Path:  # type: ignore[no-untyped-def]
    graph = helper.make_graph(nodes, name, [inp], [out], initializer=list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    return path


def channel_means(tmp_path: Path, *, nhwc: bool = False, batch: int | str = "N") -> Path:
    """Output = the mean of each input channel: shows exactly what preprocessing fed the model."""
    shape = [batch, 112, 112, 3] if nhwc else [batch, 3, 112, 112]
    inp = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 3])
    node = helper.make_node("ReduceMean", ["x"], ["y"], axes=[1, 2] if nhwc else [2, 3], keepdims=0)
    return _save(tmp_path, "means_nhwc" if nhwc else f"means_{batch}", [node], inp, out)


def projection(tmp_path: Path, dim: int = 32) -> Path:
    """A fixed random projection of the 8x8-pooled chip: an embedder shaped like ArcFace, 112x112 in, dim out."""
    w = np.random.default_rng(3).standard_normal((3 * 14 * 14, dim)).astype(np.float32)
    inp = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, ["N", 3, 112, 112])
    out = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", dim])
    nodes = [
        helper.make_node("AveragePool", ["input.1"], ["p"], kernel_shape=[8, 8], strides=[8, 8]),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("MatMul", ["f", "w"], ["embedding"]),
    ]
    return _save(tmp_path, "proj", nodes, inp, out, [numpy_helper.from_array(w, "w")])


def _chip(r: int, g: int, b: int) -> np.ndarray:
    chip = np.zeros((112, 112, 3), np.uint8)
    chip[...] = (r, g, b)
    return chip


def _unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, np.float32)
    return a / np.linalg.norm(a)


def test_preprocessing_normalises_and_orders_channels(tmp_path: Path, face_pool) -> None:  # type: ignore[no-untyped-def]
    chip = _chip(255, 0, 51)
    rgb = OnnxFaceEngine(channel_means(tmp_path))
    assert rgb.dim == 3 and rgb.chip_size == 112
    assert np.allclose(rgb.embed([chip])[0], _unit([1.0, -1.0, (51 - 127.5) / 127.5]), atol=1e-5)
    bgr = OnnxFaceEngine(channel_means(tmp_path), bgr=True, mean=0.0, std=255.0)
    assert np.allclose(bgr.embed([chip])[0], _unit([0.2, 0.0, 1.0]), atol=1e-5)
    nhwc = OnnxFaceEngine(channel_means(tmp_path, nhwc=True))
    assert np.allclose(nhwc.embed([chip])[0], rgb.embed([chip])[0], atol=1e-4)
    fixed_batch = OnnxFaceEngine(channel_means(tmp_path, batch=1))
    two = fixed_batch.embed([chip, _chip(0, 255, 0)])
    assert two.shape == (2, 3) and np.allclose(two[1], _unit([-1.0, 1.0, -1.0]), atol=1e-5)
    assert rgb.embed([]).shape == (0, 3)


def test_similarity_transform_recovers_rotation_scale_shift() -> None:
    angle, scale, shift = np.deg2rad(12.0), 1.7, np.array([30.0, -4.0])
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = np.array([[38.3, 51.7], [73.5, 51.5], [56.0, 76.0]])
    m = similarity_transform(src, src @ rot.T + shift)
    assert np.allclose(m[:, :2], rot, atol=1e-9) and np.allclose(m[:, 2], shift, atol=1e-9)


def test_real_photo_through_the_engine_interface(tmp_path: Path, photo, face_pool) -> None:  # type: ignore[no-untyped-def]
    engine = OnnxFaceEngine(projection(tmp_path))
    assert isinstance(engine, FaceEngine) and engine.dim == 32 and engine.name == "onnx-proj"
    analysis = analyse_bytes(engine, photo("obama/1.jpg"))
    assert len(analysis.faces) == 1
    face = analysis.faces[0]
    assert face.embedding.shape == (32,) and abs(float(np.linalg.norm(face.embedding)) - 1) < 1e-5
    chip = engine.align(np.zeros((480, 640, 3), np.uint8), face.detection)
    assert chip.shape == (112, 112, 3) and chip.dtype == np.uint8
    again = analyse_bytes(engine, photo("obama/1.jpg")).faces[0].embedding
    assert np.allclose(again, face.embedding)  # deterministic: the same photo enrols and matches alike
    # the vector index takes the engine's size from its first rows
    index = VectorIndex()
    index.add([7], face.embedding[None, :])
    assert index.dim == 32 and index.search(face.embedding, 1)[0].face_id == 7


def test_selected_by_spec_and_environment(tmp_path: Path, photo, monkeypatch, face_pool) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CG_FACE_ONNX_MODEL", str(projection(tmp_path, dim=16)))
    pool = FacePool(workers=0, engine=SPEC).start()
    try:
        analysis = pool.analyse(photo("biden/1.jpg"))
        assert analysis.engine == "onnx-proj" and analysis.faces[0].embedding.shape == (16,)
    finally:
        pool.close()


def test_missing_or_unsuitable_model_is_refused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CG_FACE_ONNX_MODEL", raising=False)
    with pytest.raises(FileNotFoundError, match="CG_FACE_ONNX_MODEL"):
        OnnxFaceEngine()
    inp = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 10])
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])
    flat = _save(tmp_path, "flat", [helper.make_node("Identity", ["x"], ["y"])], inp, out)
    with pytest.raises(ValueError, match="image input"):
        OnnxFaceEngine(flat)
