"""CRC-16/ARC as DC-09 prescribes (reflected poly 0x8005 = 0xA001, init 0, no final xor)."""

from __future__ import annotations


def _table() -> tuple[int, ...]:
    """Precompute the byte table once so a frame costs one lookup per byte."""
    rows = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        rows.append(crc)
    return tuple(rows)


_TABLE = _table()


def crc16_arc(data: bytes) -> int:
    """Return the CRC-16/ARC of `data` (check value for b"123456789" is 0xBB3D)."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc
