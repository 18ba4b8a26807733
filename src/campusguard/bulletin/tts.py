"""Text-to-speech with espeak-ng: a broadcast's text becomes a WAV the speakers can play."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from io import BytesIO
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

MAX_TEXT_CHARS = 2000
VOICES = ("cmn", "zh", "en")


class TTSError(RuntimeError):
    """espeak-ng is missing, failed, or produced no audio."""


def wav_duration_s(data: bytes) -> float:
    """Duration of a WAV file; raises ValueError when the bytes are not a WAV."""
    try:
        with wave.open(BytesIO(data)) as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a WAV file: {exc}") from exc


def synthesize(text: str, *, voice: str = "cmn", speed_wpm: int = 150, timeout_s: float = 30.0) -> bytes:
    """Render text to WAV bytes with espeak-ng (Mandarin voice by default)."""
    text = text.strip()
    if not text:
        raise ValueError("nothing to say")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"text longer than {MAX_TEXT_CHARS} characters")
    if voice not in VOICES:
        raise ValueError(f"voice must be one of {', '.join(VOICES)}")
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise TTSError("espeak-ng is not installed")
    with tempfile.TemporaryDirectory(prefix="cg-tts-") as tmp:
        out = Path(tmp) / "out.wav"
        # text goes through stdin so nothing the user typed is parsed as an option
        proc = subprocess.run(
            [exe, "-v", voice, "-s", str(speed_wpm), "-w", str(out), "--stdin"],
            input=text.encode(),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
        if proc.returncode != 0 or not out.exists():
            raise TTSError(f"espeak-ng failed: {proc.stderr.decode(errors='replace')[:300]}")
        data = out.read_bytes()
    duration = wav_duration_s(data)
    if duration <= 0:
        raise TTSError("espeak-ng produced an empty recording")
    log.info("tts.synthesized", voice=voice, chars=len(text), seconds=round(duration, 2))
    return data
