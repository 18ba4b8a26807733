"""SIA DC-09 frame codec: parse, verify, decrypt and answer messages as ANSI/SIA DC-09-2013 says.

Frame: ``<LF><crc><0LLL><"id"><seq><Rrcvr><Lpref><#acct>[<data>]<[x..]..><_timestamp><CR>``.
The CRC (CRC-16/ARC) and the length cover everything from the first ``"`` up to the end of the
timestamp. In encrypted messages (ID token prefixed with ``*``) everything after the ``[`` is
AES-CBC (zero IV) ciphertext in hex of ``<pad>|<data>]<[x..]..><_timestamp>``, padded to a multiple
of 16 with 1..16 pad bytes that are never ``|``, ``[`` or ``]``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from Crypto.Cipher import AES

from campusguard.adapters.dc09.codes import Mapped, map_contact_id, map_sia
from campusguard.adapters.dc09.crc import crc16_arc

Reply = Literal["NAK", "DUH", "NONE"]
SUPPORTED_TOKENS = ("SIA-DCS", "ADM-CID", "NULL")
MAX_FRAME = 9 + 0xFFF + 1  # LF + crc + 0LLL + body + CR
TIMESTAMP_FMT = "%H:%M:%S,%m-%d-%Y"
_ZERO_IV = bytes(16)
_PAD_ALPHABET = bytes(b for b in range(0x21, 0x7F) if b not in b"|[]")

_HEADER_RE = re.compile(
    r'"(?P<enc>\*)?(?P<token>[A-Z0-9-]{1,16})"'
    r"(?P<seq>[0-9]{4})"
    r"(?:R(?P<rcvr>[0-9A-Fa-f]{1,6}))?"
    r"L(?P<pref>[0-9A-Fa-f]{1,6})"
    r"#(?P<acct>[0-9A-Fa-f]{3,16})"
    r"\[(?P<rest>.*)\Z",
    re.S,
)
_TAIL_RE = re.compile(r"(?P<ext>(?:\[[^\[\]]*\])*)(?:_(?P<ts>[0-9:,-]{19}))?\Z")
_CID_RE = re.compile(
    r"(?:#(?P<acct>[0-9A-Fa-f]{3,16})\|)?(?P<q>[0-9])(?P<code>[0-9]{3}) ?(?P<part>[0-9A-Fa-f]{2}) ?"
    r"(?P<zone>[0-9A-Fa-f]{3})\Z"
)
_SIA_PREFIX_RE = re.compile(r"(?:#(?P<acct>[0-9A-Fa-f]{3,16})\|)?N(?P<body>.*)\Z", re.S)
_SIA_MOD_RE = re.compile(r"(ri|id|pi|ti|da|lu)([0-9A-Fa-f:\-]*)")
_SIA_EVENT_RE = re.compile(r"([A-Z]{2})([0-9A-Za-z]*)(?:\^[^\^]*\^?)?\Z")


class Dc09Error(Exception):
    """A frame the receiver refuses; `reply` is the answer the standard asks for."""

    def __init__(self, reason: str, reply: Reply, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.reply: Reply = reply
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Header:
    """The clear-text part of a frame, enough to find the account and its key."""

    token: str
    encrypted: bool
    seq: str
    receiver: str | None
    prefix: str
    account: str
    rest: str


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """One event inside a message, already mapped to a platform type when the code is known."""

    protocol: Literal["SIA", "CID", "NULL"]
    code: str
    event_type: str | None
    restore: bool = False
    status: bool = False
    zone: str | None = None
    area: str | None = None
    user: str | None = None


@dataclass(frozen=True, slots=True)
class Dc09Message:
    """A verified, decrypted message ready for the platform."""

    header: Header
    data: str
    extended: tuple[str, ...]
    timestamp: datetime | None
    events: tuple[AlarmEvent, ...]

    @property
    def account(self) -> str:
        return self.header.account

    @property
    def seq(self) -> int:
        return int(self.header.seq)


@dataclass(frozen=True, slots=True)
class TimestampWindow:
    """How far a message timestamp may lag (past_s) or lead (future_s) the receiver clock."""

    past_s: float = 40.0
    future_s: float = 20.0
    check_unencrypted: bool = True


def parse_frame(raw: bytes) -> Header:
    """Check framing, length and CRC and split the clear-text header; NAK on any defect."""
    if len(raw) > MAX_FRAME:
        raise Dc09Error("too_long", "NAK", f"{len(raw)} bytes")
    if len(raw) < 10 or raw[:1] != b"\n" or raw[-1:] != b"\r":
        raise Dc09Error("format", "NAK", "missing LF/CR framing")
    crc_field, len_field, body = raw[1:5], raw[5:9], raw[9:-1]
    try:
        crc_value = int(crc_field.decode("ascii"), 16)
        if len_field[:1] != b"0":
            raise ValueError("length field must be 0LLL")
        length = int(len_field[1:].decode("ascii"), 16)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Dc09Error("format", "NAK", f"bad crc/length field: {exc}") from exc
    if length != len(body):
        raise Dc09Error("length", "NAK", f"declared {length}, got {len(body)}")
    if crc16_arc(body) != crc_value:
        raise Dc09Error("crc", "NAK", f"declared {crc_value:04X}, computed {crc16_arc(body):04X}")
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise Dc09Error("format", "NAK", "non-ASCII body") from exc
    match = _HEADER_RE.match(text)
    if match is None:
        raise Dc09Error("format", "NAK", "header does not match DC-09")
    return Header(
        token=match["token"],
        encrypted=match["enc"] is not None,
        seq=match["seq"],
        receiver=match["rcvr"].upper() if match["rcvr"] else None,
        prefix=match["pref"].upper(),
        account=match["acct"].upper(),
        rest=match["rest"],
    )


def decode(
    header: Header,
    key: bytes | None,
    *,
    now: datetime,
    window: TimestampWindow,
    require_encryption: bool = False,
) -> Dc09Message:
    """Decrypt (when needed), check the timestamp and parse the events of a framed message."""
    if header.token not in SUPPORTED_TOKENS:
        raise Dc09Error("unsupported_token", "DUH", header.token)
    if header.encrypted:
        if key is None:
            raise Dc09Error("no_key", "DUH", "encrypted message for an account without key")
        content = _decrypt(header.rest, key)
    else:
        if require_encryption:
            raise Dc09Error("encryption_required", "DUH", "plain message for an encrypted account")
        content = header.rest
    data, sep, tail = content.partition("]")
    if not sep or "[" in data:
        raise Dc09Error("format", "NAK", "data block not closed")
    tail_match = _TAIL_RE.match(tail)
    if tail_match is None:
        raise Dc09Error("format", "NAK", "bad extended data or timestamp")
    timestamp = _parse_timestamp(tail_match["ts"]) if tail_match["ts"] else None
    if header.encrypted and timestamp is None:
        raise Dc09Error("timestamp", "NAK", "encrypted message without timestamp")
    if timestamp is not None and (header.encrypted or window.check_unencrypted):
        skew = (timestamp - now).total_seconds()
        if skew < -window.past_s or skew > window.future_s:
            raise Dc09Error("timestamp", "NAK", f"skew {skew:+.0f} s")
    ext = tail_match["ext"]
    extended = tuple(block for block in ext[1:-1].split("][")) if ext else ()
    events = _parse_events(header.token, data, header.account)
    return Dc09Message(header=header, data=data, extended=extended, timestamp=timestamp, events=events)


def _parse_timestamp(value: str) -> datetime:
    """Parse `HH:MM:SS,MM-DD-YYYY` (always UTC in DC-09)."""
    try:
        return datetime.strptime(value, TIMESTAMP_FMT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise Dc09Error("timestamp", "NAK", f"unparseable timestamp {value!r}") from exc


def _decrypt(hex_text: str, key: bytes) -> str:
    """Decrypt the payload and strip the pad up to its `|` terminator; DUH when the key does not fit."""
    try:
        cipher_bytes = bytes.fromhex(hex_text)
    except ValueError as exc:
        raise Dc09Error("format", "NAK", "encrypted payload is not hex") from exc
    if not cipher_bytes or len(cipher_bytes) % 16:
        raise Dc09Error("format", "NAK", "encrypted payload is not a multiple of 16 bytes")
    plain = AES.new(key, AES.MODE_CBC, iv=_ZERO_IV).decrypt(cipher_bytes)
    bar = plain.find(b"|")
    if bar < 1 or bar > 16 or b"[" in plain[:bar] or b"]" in plain[:bar]:
        raise Dc09Error("decrypt", "DUH", "no pad terminator: wrong key or corrupt payload")
    try:
        return plain[bar + 1 :].decode("ascii")
    except UnicodeDecodeError as exc:
        raise Dc09Error("decrypt", "DUH", "decrypted payload is not ASCII") from exc


def _parse_events(kind: str, data: str, account: str) -> tuple[AlarmEvent, ...]:
    """Parse the data block of a SIA-DCS, ADM-CID or NULL message into events."""
    if kind == "NULL":
        return (AlarmEvent(protocol="NULL", code="NULL", event_type="heartbeat"),)
    if kind == "ADM-CID":
        match = _CID_RE.match(data)
        if match is None:
            raise Dc09Error("data", "DUH", f"not a Contact ID block: {data[:40]!r}")
        _check_inner_account(match["acct"], account)
        qualifier, code = match["q"], match["code"]
        mapped = map_contact_id(qualifier, code)
        return (
            _event("CID", f"{qualifier}{code}", mapped, status=qualifier == "6", zone=match["zone"],
                   area=match["part"]),
        )
    match = _SIA_PREFIX_RE.match(data)
    if match is None:
        raise Dc09Error("data", "DUH", f"not a SIA-DCS block: {data[:40]!r}")
    _check_inner_account(match["acct"], account)
    return _parse_sia_body(match["body"])


def _check_inner_account(inner: str | None, account: str) -> None:
    """A data block naming another account than the header is refused (spoofing guard)."""
    if inner is not None and inner.upper() != account:
        raise Dc09Error("account_mismatch", "DUH", f"data account {inner} != header account {account}")


def _parse_sia_body(body: str) -> tuple[AlarmEvent, ...]:
    """Walk the `/`-separated SIA fields: modifiers (ri area, id user, ...) then two-letter codes."""
    events: list[AlarmEvent] = []
    area: str | None = None
    user: str | None = None
    for piece in body.split("/"):
        rest = piece
        while (mod := _SIA_MOD_RE.match(rest)) is not None and mod.end() > 0:
            name, value = mod.group(1), mod.group(2)
            if name == "ri":
                area = value or None
            elif name == "id":
                user = value or None
            rest = rest[mod.end() :]
        if not rest:
            continue
        event = _SIA_EVENT_RE.match(rest)
        if event is None:
            raise Dc09Error("data", "DUH", f"bad SIA field {piece[:20]!r}")
        code = event.group(1)
        events.append(
            _event("SIA", code, map_sia(code), zone=event.group(2) or None, area=area, user=user)
        )
    if not events:
        raise Dc09Error("data", "DUH", "SIA block without event code")
    return tuple(events)


def _event(
    protocol: Literal["SIA", "CID"],
    code: str,
    mapped: Mapped | None,
    *,
    status: bool = False,
    zone: str | None = None,
    area: str | None = None,
    user: str | None = None,
) -> AlarmEvent:
    """Build an event, keeping unknown codes (type None) so they are logged, not silently lost."""
    return AlarmEvent(
        protocol=protocol,
        code=code,
        event_type=mapped.event_type if mapped else None,
        restore=mapped.restore if mapped else False,
        status=status,
        zone=zone,
        area=area,
        user=user,
    )


# --- replies -----------------------------------------------------------------------------------


def frame(body: str) -> bytes:
    """Wrap a body in LF, CRC, 0LLL length and CR."""
    raw = body.encode("ascii")
    if len(raw) > 0xFFF:
        raise ValueError("DC-09 body longer than 0xFFF")
    return b"\n" + f"{crc16_arc(raw):04X}0{len(raw):03X}".encode("ascii") + raw + b"\r"


def format_timestamp(moment: datetime) -> str:
    """`_HH:MM:SS,MM-DD-YYYY` in UTC."""
    return "_" + moment.astimezone(UTC).strftime(TIMESTAMP_FMT)


def encrypt_payload(plain: str, key: bytes) -> str:
    """Pad (1..16 random bytes, never `|[]`, then `|`), encrypt AES-CBC zero IV, return upper hex."""
    content = b"|" + plain.encode("ascii")
    pad_len = 16 - (len(content) % 16)
    pad = bytes(secrets.choice(_PAD_ALPHABET) for _ in range(pad_len))
    return AES.new(key, AES.MODE_CBC, iv=_ZERO_IV).encrypt(pad + content).hex().upper()


def _route(header: Header) -> str:
    receiver = f"R{header.receiver}" if header.receiver is not None else ""
    return f"{header.seq}{receiver}L{header.prefix}#{header.account}"


def build_ack(header: Header, *, key: bytes | None, now: datetime) -> bytes:
    """ACK echoing seq, receiver, prefix, account; encrypted (`*ACK`, timestamped) if the event was."""
    if header.encrypted:
        if key is None:
            raise ValueError("encrypted ACK needs the account key")
        return frame(f'"*ACK"{_route(header)}[{encrypt_payload("]" + format_timestamp(now), key)}')
    return frame(f'"ACK"{_route(header)}[]')


def build_nak(*, now: datetime) -> bytes:
    """NAK is never encrypted and always carries the receiver time so the panel can resync."""
    return frame(f'"NAK"0000R0L0A0[]{format_timestamp(now)}')


def build_duh(header: Header) -> bytes:
    """DUH: the frame was received correctly but the receiver cannot process it."""
    return frame(f'"DUH"{_route(header)}[]')


def utc_now() -> datetime:
    """Receiver clock (separate so tests can compare against the same source)."""
    return datetime.now(UTC)

