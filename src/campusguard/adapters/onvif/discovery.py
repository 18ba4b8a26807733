"""WS-Discovery: a Probe for NetworkVideoTransmitter, collecting ProbeMatches until the timeout."""

from __future__ import annotations

import asyncio
import socket
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 - replies are parsed with entity expansion off (stdlib default)
from dataclasses import dataclass, field

import structlog

log = structlog.get_logger(__name__)
MULTICAST = ("239.255.255.250", 3702)
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
}

PROBE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>'
    '<a:MessageID>{mid}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>'
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>'
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
)


@dataclass
class Discovered:
    """One device that answered: its service addresses and what its scopes say about it."""

    endpoint: str
    xaddrs: list[str]
    scopes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        return self._scope("name")

    @property
    def hardware(self) -> str | None:
        return self._scope("hardware")

    def _scope(self, key: str) -> str | None:
        prefix = f"onvif://www.onvif.org/{key}/"
        return next((s[len(prefix):] for s in self.scopes if s.startswith(prefix)), None)


def parse_probe_matches(data: bytes) -> list[Discovered]:
    """ProbeMatches → devices; malformed replies are skipped, never raised."""
    try:
        root = ET.fromstring(data)  # noqa: S314 - stdlib parser, no external entities
    except ET.ParseError:
        return []
    out = []
    for match in root.iterfind(".//d:ProbeMatch", NS):
        xaddrs = (match.findtext("d:XAddrs", "", NS) or "").split()
        if not xaddrs:
            continue
        out.append(Discovered(endpoint=match.findtext("a:EndpointReference/a:Address", "", NS) or "",
                              xaddrs=xaddrs, scopes=(match.findtext("d:Scopes", "", NS) or "").split()))
    return out


class _Collector(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.found: dict[str, Discovered] = {}

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        for dev in parse_probe_matches(data):
            self.found.setdefault(dev.endpoint or dev.xaddrs[0], dev)


async def discover(timeout_s: float = 3.0, target: tuple[str, int] = MULTICAST) -> list[Discovered]:
    """Send one Probe (multicast by default, or to a given address) and gather answers."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    sock.bind(("0.0.0.0" if target == MULTICAST else "127.0.0.1", 0))
    transport, proto = await loop.create_datagram_endpoint(_Collector, sock=sock)
    try:
        transport.sendto(PROBE.format(mid=f"urn:uuid:{uuid.uuid4()}").encode(), target)
        await asyncio.sleep(timeout_s)
    finally:
        transport.close()
    log.info("onvif discovery", found=len(proto.found))
    return list(proto.found.values())
