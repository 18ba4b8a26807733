"""One simulated gate terminal: bursts of frames per passer-by, posted with the device token."""

from __future__ import annotations

import io
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

log = logging.getLogger("sim.gates")
FRAME = (640, 480)


def letterbox(path: Path, size: tuple[int, int] = FRAME, *, shift: int = 0) -> bytes:
    """A gate-sized JPEG of a photo; `shift` moves it a little, as a walking person would."""
    with Image.open(path) as src:
        img = src.convert("RGB")
    img.thumbnail(size, Image.Resampling.BILINEAR)
    canvas = Image.new("RGB", size, (96, 96, 96))
    x = (size[0] - img.width) // 2 + shift
    canvas.paste(img, (max(0, min(size[0] - img.width, x)), (size[1] - img.height) // 2))
    buf = io.BytesIO()
    canvas.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def people(photos: Path) -> list[Path]:
    """Every .jpg under one folder per person (group folders starting with "_" included)."""
    found = sorted(p for p in photos.glob("*/*.jpg"))
    if not found:
        raise FileNotFoundError(f"no photos under {photos}")
    return found


@dataclass
class GateTerminal:
    """Posts captures to /api/v1/gates/{code}/captures; returns the server's parsed answers."""

    base_url: str
    device_code: str
    token: str
    direction: str = "in"
    timeout_s: float = 10.0

    def post(self, client: httpx.Client, jpeg: bytes) -> dict[str, Any]:
        r = client.post(
            f"{self.base_url.rstrip('/')}/api/v1/gates/{self.device_code}/captures",
            headers={"Authorization": f"Bearer {self.token}"},
            data={"direction": self.direction},
            files={"image": ("capture.jpg", jpeg, "image/jpeg")},
            timeout=self.timeout_s,
        )
        body: dict[str, Any] = r.json() if r.headers.get("content-type", "").endswith("json") else {}
        body["http_status"] = r.status_code
        return body

    def passages(self, photos: list[Path], *, frames: int, seed: int) -> Iterator[tuple[Path, bytes]]:
        rng = random.Random(seed)
        while True:
            path = rng.choice(photos)
            for i in range(frames):
                yield path, letterbox(path, shift=(i - frames // 2) * 12)

    def run(
        self, photos: list[Path], *, count: int, frames: int = 3, interval_s: float = 0.5, seed: int = 1
    ) -> list[dict[str, Any]]:
        """Send `count` frames (bursts of `frames` per passer-by); log and return each answer."""
        out = []
        with httpx.Client() as client:
            for n, (path, jpeg) in enumerate(self.passages(photos, frames=frames, seed=seed)):
                if n >= count:
                    break
                t0 = time.perf_counter()
                answer = self.post(client, jpeg)
                answer["photo"] = f"{path.parent.name}/{path.name}"
                answer["latency_ms"] = round((time.perf_counter() - t0) * 1000, 1)
                log.info("gate %s %s -> %s", self.device_code, answer["photo"], answer.get("faces", answer))
                out.append(answer)
                time.sleep(interval_s)
        return out
