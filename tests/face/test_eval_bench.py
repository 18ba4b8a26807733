"""`eval faces` on the real photos, and a tiny benchmark run that checks its JSON shape."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from campusguard.cli import app
from campusguard.face.bench import search_latency
from campusguard.face.engine import normalise


def test_eval_faces_json(faces_dir) -> None:
    result = CliRunner().invoke(app, ["eval", "faces", str(faces_dir), "--json"])
    assert result.exit_code == 0, result.output
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("{")][-1]
    data = json.loads(line)
    assert {"tar", "far", "threshold", "people", "probes"} <= data.keys()
    assert data["people"] == 3  # obama, biden, kit_harington; lin_manuel_miranda is a stranger
    assert data["probes"] == 4 and data["impostor_probes"] == 1
    assert data["tar"] == 1.0 and data["far"] == 0.0
    assert data["skipped"] == ["_groups"]


def test_search_latency_reports_baseline() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    probes = normalise(rng.standard_normal((4, 128)).astype(np.float32))
    out = search_latency(2000, probes, queries=20, naive_queries=2, rng=rng)
    assert out["numpy"]["top1_correct"] and out["faiss"]["top1_correct"]
    assert out["naive_loop"]["n"] == 2 and out["speedup_p50"] > 1
