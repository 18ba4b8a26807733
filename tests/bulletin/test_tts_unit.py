"""espeak-ng really renders Mandarin to WAV; the sanitizer drops everything executable."""

import pytest

from campusguard.bulletin.sanitize import clean_html, plain_text
from campusguard.bulletin.tts import synthesize, wav_duration_s


def test_mandarin_tts_produces_wav() -> None:
    data = synthesize("同学们好，请注意防溺水安全。", voice="cmn")
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert 1.0 < wav_duration_s(data) < 30.0


def test_longer_text_takes_longer() -> None:
    short = wav_duration_s(synthesize("注意安全"))
    long = wav_duration_s(synthesize("注意安全。" * 6))
    assert long > short * 3


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_tts_refuses_bad_text(text: str) -> None:
    with pytest.raises(ValueError):
        synthesize(text)


def test_tts_refuses_unknown_voice() -> None:
    with pytest.raises(ValueError):
        synthesize("hi", voice="--help")


def test_not_a_wav() -> None:
    with pytest.raises(ValueError):
        wav_duration_s(b"ID3not a wav at all")


def test_sanitizer_allowlist() -> None:
    dirty = ('<p onclick="x()">防诈骗<script>alert(1)</script><a href="javascript:alert(1)">x</a>'
             '<a href="https://gov.cn/a">ok</a><img src="https://x/y.png" onerror="z()"></p>'
             '<style>p{}</style><iframe src="https://evil"></iframe>')
    out = clean_html(dirty)
    for bad in ("script", "onclick", "javascript:", "onerror", "style", "iframe"):
        assert bad not in out
    assert '<a href="https://gov.cn/a" rel="noopener noreferrer">ok</a>' in out
    assert out.startswith("<p>防诈骗")
    assert plain_text("<p>防溺水 &amp; <b>安全</b></p>") == "防溺水 & 安全"
