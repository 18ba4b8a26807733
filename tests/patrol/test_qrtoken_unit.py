"""QR token signing: genuine codes pass; forged, expired, rotated or mangled codes are refused."""

from datetime import UTC, datetime, timedelta

import pytest

from campusguard.patrol import qrtoken
from campusguard.patrol.geo import distance_m, valid_coords

SECRET = "unit-test-secret-0123456789"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _token(cp: int = 7, version: int = 2, days: int = 30) -> str:
    return qrtoken.issue(SECRET, checkpoint_id=cp, version=version, expires_at=NOW + timedelta(days=days))


def test_genuine_token_verifies() -> None:
    claims = qrtoken.verify(SECRET, _token(), now=NOW, current_version=2)
    assert claims.checkpoint_id == 7 and claims.version == 2
    assert claims.expires_at == NOW + timedelta(days=30)


def test_other_secret_is_forged() -> None:
    token = qrtoken.issue("another-platform-secret", checkpoint_id=7, version=2,
                          expires_at=NOW + timedelta(days=1))
    with pytest.raises(qrtoken.TokenError) as err:
        qrtoken.verify(SECRET, token, now=NOW)
    assert err.value.reason == "forged" and err.value.checkpoint_id == 7


def test_edited_checkpoint_id_is_forged() -> None:
    parts = _token().split(".")
    parts[1] = "8"
    with pytest.raises(qrtoken.TokenError) as err:
        qrtoken.verify(SECRET, ".".join(parts), now=NOW)
    assert err.value.reason == "forged"


def test_expired_and_rotated() -> None:
    with pytest.raises(qrtoken.TokenError) as err:
        qrtoken.verify(SECRET, _token(days=1), now=NOW + timedelta(days=2))
    assert err.value.reason == "expired"
    with pytest.raises(qrtoken.TokenError) as err:
        qrtoken.verify(SECRET, _token(version=1), now=NOW, current_version=2)
    assert err.value.reason == "rotated"


@pytest.mark.parametrize("junk", ["", "hello", "CGQ1.1.1.1.zz", "CGQ1.a.1.1." + "0" * 24,
                                  "CGQ1.1.1.1." + "0" * 25, "https://evil.example/" + "x" * 40])
def test_malformed(junk: str) -> None:
    with pytest.raises(qrtoken.TokenError) as err:
        qrtoken.verify(SECRET, junk, now=NOW)
    assert err.value.reason == "malformed"


def test_distance_and_coords() -> None:
    # Shenzhen civic centre to Luohu station: about 6.9 km
    d = distance_m(22.5431, 114.0579, 22.5329, 114.1176)
    assert 6000 < d < 7000
    assert distance_m(22.5, 114.0, 22.5, 114.0) == 0
    assert 110 < distance_m(22.5, 114.0, 22.501, 114.0) < 112
    assert valid_coords(22.5, 114.0)
    assert not valid_coords(0, 0) and not valid_coords(91, 0) and not valid_coords(0, 181)


def test_short_code_is_bound_to_the_print_run() -> None:
    expires = NOW + timedelta(days=30)
    code = qrtoken.short_code(SECRET, checkpoint_id=7, version=2, expires_at=expires)
    assert code.startswith("7-") and len(code) == 8 and code[2:].isdigit()
    assert code == qrtoken.short_code(SECRET, checkpoint_id=7, version=2, expires_at=expires)
    assert code != qrtoken.short_code(SECRET, checkpoint_id=7, version=3, expires_at=expires)
    assert code != qrtoken.short_code("another-secret", checkpoint_id=7, version=2, expires_at=expires)
    assert qrtoken.parse_short(" 7 – 12 3456 ") == 7 and qrtoken.normalise_short("7 －123456") == "7-123456"
    assert qrtoken.parse_short("CGQ1.7.2.1.abc") is None and qrtoken.parse_short("7-12345") is None
