"""SIA DC-09 (ANSI/SIA DC-09-2013) alarm receiver: codec and asyncio TCP/UDP server."""

from campusguard.adapters.dc09.codec import (
    AlarmEvent,
    Dc09Error,
    Dc09Message,
    Header,
    TimestampWindow,
    build_ack,
    build_duh,
    build_nak,
    decode,
    parse_frame,
)
from campusguard.adapters.dc09.receiver import AccountInfo, Dc09Receiver, Rejection

__all__ = [
    "AccountInfo",
    "AlarmEvent",
    "Dc09Error",
    "Dc09Message",
    "Dc09Receiver",
    "Header",
    "Rejection",
    "TimestampWindow",
    "build_ack",
    "build_duh",
    "build_nak",
    "decode",
    "parse_frame",
]
