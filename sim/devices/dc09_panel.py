"""A simulated alarm panel speaking SIA DC-09 over TCP/UDP, written from the standard text alone.

Deliberately independent of `campusguard.adapters.dc09` (bitwise CRC, its own padding and
parsing) so it can serve as the independent encoder in tests and as a real panel in the demo.
"""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

from Crypto.Cipher import AES


def crc16(data: bytes) -> int:
    """CRC-16/ARC, bit by bit exactly as DC-09 Appendix describes (poly 0xA001, init 0)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def stamp(moment: datetime | None = None) -> str:
    """DC-09 timestamp `_HH:MM:SS,MM-DD-YYYY` in UTC."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def wrap(body: str) -> bytes:
    """LF + CRC + 0LLL + body + CR."""
    raw = body.encode("ascii")
    return b"\n" + f"{crc16(raw):04X}0{len(raw):03X}".encode() + raw + b"\r"


def encrypt(plain: str, key: bytes) -> str:
    """`<pad>|<plain>` padded to 16 with pad bytes avoiding `|[]`, AES-CBC with a zero IV, hex."""
    body = b"|" + plain.encode("ascii")
    pad_len = 16 - len(body) % 16
    pad = bytes((b % 90) + 33 for b in os.urandom(pad_len))
    pad = pad.replace(b"|", b"A").replace(b"[", b"B").replace(b"]", b"C")
    return AES.new(key, AES.MODE_CBC, bytes(16)).encrypt(pad + body).hex().upper()


def decrypt(hex_text: str, key: bytes) -> str:
    """Inverse of `encrypt`: strip the pad through its `|`."""
    plain = AES.new(key, AES.MODE_CBC, bytes(16)).decrypt(bytes.fromhex(hex_text))
    return plain.split(b"|", 1)[1].decode("ascii")


def build_message(
    token: str,
    account: str,
    seq: int,
    data: str,
    *,
    receiver: str | None = "0",
    prefix: str = "0",
    key: bytes | None = None,
    timestamp: datetime | None = None,
    with_timestamp: bool = True,
    extended: str = "",
) -> bytes:
    """Build one DC-09 frame; `data` is the inside of the first [ ] block (e.g. `#1234|Nri1/BA01`)."""
    route = f"{seq:04d}" + (f"R{receiver}" if receiver is not None else "") + f"L{prefix}#{account}"
    tail = f"{data}]{extended}" + (stamp(timestamp) if with_timestamp or key else "")
    if key is not None:
        return wrap(f'"*{token}"{route}[{encrypt(tail, key)}')
    return wrap(f'"{token}"{route}[{tail}')


def sia(account: str, code: str, zone: str = "01", area: str = "1") -> str:
    """SIA-DCS data block, e.g. `#1234|Nri1/PA01`."""
    return f"#{account}|Nri{area}/{code}{zone}"


def contact_id(account: str, qualifier: int, code: int, partition: int = 1, zone: int = 1) -> str:
    """ADM-CID data block, e.g. `#1234|1120 01 001`."""
    return f"#{account}|{qualifier}{code:03d} {partition:02d} {zone:03d}"


@dataclass(frozen=True)
class Reply:
    """A receiver answer as the panel sees it."""

    token: str
    seq: str
    raw: bytes
    account: str | None
    timestamp: str | None


def parse_reply(raw: bytes, key: bytes | None = None) -> Reply:
    """Check a receiver reply's framing, length and CRC, and decrypt `*ACK` when a key is given."""
    if not (raw.startswith(b"\n") and raw.endswith(b"\r")):
        raise ValueError(f"bad framing {raw!r}")
    crc, length, body = raw[1:5], raw[5:9], raw[9:-1]
    if int(length, 16) != len(body):
        raise ValueError("length mismatch")
    if int(crc, 16) != crc16(body):
        raise ValueError("crc mismatch")
    text = body.decode("ascii")
    token, rest = text[1:].split('"', 1)
    seq = rest[:4]
    account = rest.split("#", 1)[1].split("[", 1)[0] if "#" in rest else None
    inside = rest.split("[", 1)[1]
    timestamp = None
    if token.startswith("*"):
        if key is None:
            raise ValueError("encrypted reply without key")
        inside = decrypt(inside, key)
    if "_" in inside:
        timestamp = inside.split("_", 1)[1]
    return Reply(token=token, seq=seq, raw=raw, account=account, timestamp=timestamp)


class Dc09Panel:
    """A panel that sends frames over TCP (one persistent connection) or UDP and waits for the reply."""

    def __init__(self, host: str, port: int, account: str, *, key: bytes | None = None,
                 transport: str = "tcp", timeout_s: float = 5.0) -> None:
        self.host, self.port, self.account, self.key = host, port, account, key
        self.transport = transport
        self.timeout_s = timeout_s
        self.seq = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def next_seq(self) -> int:
        """Sequence numbers run 0001..9999 then wrap."""
        self.seq = self.seq % 9999 + 1
        return self.seq

    async def send_raw(self, frame: bytes) -> bytes:
        """Send a frame, return the raw reply (raises TimeoutError when the receiver stays silent)."""
        if self.transport == "udp":
            return await asyncio.wait_for(self._udp_roundtrip(frame), self.timeout_s)
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(frame)
        await self._writer.drain()
        data = await asyncio.wait_for(self._reader.readuntil(b"\r"), self.timeout_s)
        return data[data.rfind(b"\n"):]

    async def send(self, token: str, data: str, **kwargs: object) -> Reply:
        """Build, send and parse; returns the decoded reply."""
        frame = build_message(token, self.account, self.next_seq(), data, key=self.key, **kwargs)  # type: ignore[arg-type]
        return parse_reply(await self.send_raw(frame), self.key)

    async def alarm_sia(self, code: str, zone: str = "01") -> Reply:
        return await self.send("SIA-DCS", sia(self.account, code, zone))

    async def alarm_cid(self, qualifier: int, code: int, zone: int = 1) -> Reply:
        return await self.send("ADM-CID", contact_id(self.account, qualifier, code, 1, zone))

    async def link_test(self) -> Reply:
        return await self.send("NULL", "")

    async def _udp_roundtrip(self, frame: bytes) -> bytes:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, (self.host, self.port))
            await loop.sock_sendall(sock, frame)
            return await loop.sock_recv(sock, 4096)
        finally:
            sock.close()

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            self._writer = None
