"""Campus speaker simulator: an HTTP peer that accepts broadcasts, checks the audio, records what it played.

Run: `.venv/bin/python sim/speakers/server.py --port 9301 --token demo-speaker`
One process plays the part of any number of speakers: each is addressed as /speakers/{code}/play.

API (what the platform's HTTP speaker driver talks to):
  POST /speakers/{code}/play   body: audio/wav bytes; headers Authorization: Bearer <token>,
                               X-Broadcast-Id, X-Title (url-encoded) -> 200 {"played": true, "duration_s"}
  GET  /played                 everything played so far (newest last), ?code= to filter
  POST /control                {"fail_codes": ["SPK-2"]} makes those speakers answer 503 (outage drill)
  GET  /health
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import threading
import wave
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import structlog
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

log = structlog.get_logger("sim.speakers")
MAX_AUDIO_BYTES = 50 * 1024 * 1024


def _duration(data: bytes) -> float:
    with wave.open(BytesIO(data)) as w:
        return w.getnframes() / float(w.getframerate())


def create_app(token: str | None = None, save_dir: Path | None = None) -> FastAPI:
    """Build the simulator; `token` (when set) must come as a bearer on every play."""
    app = FastAPI(title="CampusGuard speaker simulator")
    played: list[dict[str, Any]] = []
    fail_codes: set[str] = set()
    lock = threading.Lock()

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "played": len(played)}

    @app.post("/speakers/{code}/play")
    async def play(code: str, request: Request) -> JSONResponse:
        if token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                log.warning("speaker.refused", code=code, reason="bad token")
                return JSONResponse({"error": "unauthorized"}, status_code=401)
        if code in fail_codes:
            return JSONResponse({"error": "amplifier offline"}, status_code=503)
        data = await request.body()
        if len(data) > MAX_AUDIO_BYTES:
            return JSONResponse({"error": "audio too large"}, status_code=413)
        try:
            seconds = _duration(data)
        except (wave.Error, EOFError):
            log.warning("speaker.refused", code=code, reason="not a WAV")
            return JSONResponse({"error": "audio must be a PCM WAV"}, status_code=415)
        entry = {
            "code": code, "broadcast_id": request.headers.get("x-broadcast-id"),
            "title": unquote(request.headers.get("x-title", "")), "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "duration_s": round(seconds, 3),
            "played_at": datetime.now(UTC).isoformat(),
        }
        if save_dir is not None:
            save_dir.mkdir(parents=True, exist_ok=True)
            (save_dir / f"{code}-{entry['broadcast_id']}-{len(played)}.wav").write_bytes(data)
        with lock:
            played.append(entry)
        log.info("speaker.played", **entry)
        return JSONResponse({"played": True, "duration_s": entry["duration_s"], "sha256": entry["sha256"]})

    @app.get("/played")
    def list_played(code: str | None = None) -> dict[str, Any]:
        with lock:
            items = [p for p in played if code is None or p["code"] == code]
        return {"items": items, "total": len(items)}

    @app.post("/control")
    async def control(request: Request) -> dict[str, Any]:
        body = await request.json()
        fail_codes.clear()
        fail_codes.update(str(c) for c in body.get("fail_codes", []))
        return {"fail_codes": sorted(fail_codes)}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9301)
    parser.add_argument("--token", default=None, help="bearer token the platform must present")
    parser.add_argument("--save-dir", type=Path, default=None, help="keep every WAV received here")
    args = parser.parse_args()
    uvicorn.run(create_app(args.token, args.save_dir), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
