"""Accuracy on a folder of people: enrol each person's first photo, match the rest (TAR/FAR)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import structlog

from campusguard.face.index import DEFAULT_THRESHOLD, VectorIndex, distance_from_similarity
from campusguard.face.pool import FacePool

log = structlog.get_logger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


@dataclass
class EvalReport:
    """The JSON line printed by `campusguard eval faces`."""

    tar: float
    far: float
    threshold: float
    people: int
    probes: int
    genuine_probes: int
    impostor_probes: int
    true_accepts: int
    false_accepts: int
    impostor_pairs: int
    false_accept_pairs: int
    max_genuine_distance: float | None
    min_impostor_distance: float | None
    strangers: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    no_face: list[str] = field(default_factory=list)
    engine: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _photos(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def _largest_face(pool: FacePool, path: Path) -> tuple[np.ndarray | None, str]:
    data = path.read_bytes()
    analysis = pool.analyse(data, crops=False)
    if not analysis.faces:
        analysis = pool.analyse(data, upsample=1, crops=False)
    return (analysis.faces[0].embedding if analysis.faces else None), analysis.engine


def evaluate(root: Path, *, pool: FacePool, threshold: float = DEFAULT_THRESHOLD) -> EvalReport:
    """Open-set identification: a probe is accepted when its nearest enrolled face is within threshold.

    Folders starting with "_" (multi-face group photos, no per-face labels) are skipped; folders
    with a single photo are strangers: never enrolled, all their photos are impostor probes.
    """
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    skipped = [f.name for f in folders if f.name.startswith("_")]
    people = {f.name: _photos(f) for f in folders if not f.name.startswith("_")}
    strangers = sorted(name for name, photos in people.items() if len(photos) == 1)
    index = VectorIndex(backend="numpy")
    names: list[str] = []
    no_face: list[str] = []
    engine = ""
    for name, photos in people.items():
        if name in strangers or not photos:
            continue
        vec, engine = _largest_face(pool, photos[0])
        if vec is None:
            no_face.append(str(photos[0].relative_to(root)))
            continue
        index.add([len(names)], vec[None, :])
        names.append(name)
    enrolled = set(names)
    gen = imp = ta = fa = imp_pairs = fa_pairs = 0
    max_gen: float | None = None
    min_imp: float | None = None
    vectors = [index.vector(i) for i in range(len(names))]
    all_vecs = np.stack([v for v in vectors if v is not None]) if names else np.zeros((0, 128))
    for name, photos in people.items():
        probes = photos if name in strangers else photos[1:]
        for photo in probes:
            vec, engine = _largest_face(pool, photo)
            if vec is None:
                no_face.append(str(photo.relative_to(root)))
                continue
            dists = distance_from_similarity(all_vecs @ vec) if len(names) else np.zeros(0)
            best = int(np.argmin(dists)) if len(dists) else -1
            accepted = best >= 0 and float(dists[best]) <= threshold
            for i, d in enumerate(dists):
                if names[i] == name:
                    max_gen = float(d) if max_gen is None else max(max_gen, float(d))
                else:
                    imp_pairs += 1
                    fa_pairs += int(float(d) <= threshold)
                    min_imp = float(d) if min_imp is None else min(min_imp, float(d))
            if name in enrolled:
                gen += 1
                ta += int(accepted and names[best] == name)
                fa += int(accepted and names[best] != name)
            else:
                imp += 1
                fa += int(accepted)
    probes_total = gen + imp
    report = EvalReport(
        tar=round(ta / gen, 4) if gen else 0.0,
        far=round(fa_pairs / imp_pairs, 4) if imp_pairs else 0.0,
        threshold=threshold, people=len(names), probes=probes_total, genuine_probes=gen,
        impostor_probes=imp, true_accepts=ta, false_accepts=fa, impostor_pairs=imp_pairs,
        false_accept_pairs=fa_pairs,
        max_genuine_distance=None if max_gen is None else round(max_gen, 4),
        min_impostor_distance=None if min_imp is None else round(min_imp, 4),
        strangers=strangers, skipped=skipped, no_face=no_face, engine=engine,
    )
    log.info("face.eval.done", tar=report.tar, far=report.far, people=report.people, probes=report.probes)
    return report
