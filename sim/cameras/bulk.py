"""Many simulated cameras in one asyncio process: RTSP over TCP replaying one pre-encoded H.264 clip.

The GStreamer simulator (server.py) has scenes and drop-outs but stalls above ~10 TCP-interleaved
clients on a 2-core machine. For load (``campusguard bench recording --cameras 100``) this server
packetizes the clip into RTP once at start-up; serving a frame is then only copying a prepared buffer
and patching sequence numbers and timestamps, one write per client per frame. Every mount /camN is a
shared stream (like a camera): each has its own start offset, SSRC and clock, all its clients get the
same packets. Only ``RTP/AVP/TCP`` (interleaved) transport is offered, which is what recorders use.

Run with any python3 >= 3.10 (no dependencies beyond ffmpeg for the one-off encode):
``python3 sim/cameras/bulk.py --cameras 100 --port 8554``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import random
import resource
import signal
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from media import FPS, load_clips  # noqa: E402

log = logging.getLogger("simcam.bulk")

MTU_PAYLOAD = 1400
CLOCK = 90_000
TS_STEP = CLOCK // FPS
MAX_BACKLOG = 8 * 1024 * 1024  # a client this far behind is disconnected, as a camera would


def _nals(unit: bytes) -> list[bytes]:
    """NAL units of one Annex B access unit (start codes removed)."""
    out: list[bytes] = []
    i = unit.find(b"\x00\x00\x01")
    while i >= 0:
        start = i + 3
        j = unit.find(b"\x00\x00\x01", start)
        end = len(unit) if j < 0 else (j - 1 if unit[j - 1] == 0 else j)
        if end > start:
            out.append(unit[start:end])
        i = j
    return out


def _payloads(nal: bytes) -> list[bytes]:
    """RFC 6184: single NAL unit packet, or FU-A fragments for NALs larger than the MTU."""
    if len(nal) <= MTU_PAYLOAD:
        return [nal]
    head, body = nal[0], nal[1:]
    indicator = (head & 0xE0) | 28
    kind = head & 0x1F
    chunks = [body[i:i + MTU_PAYLOAD - 2] for i in range(0, len(body), MTU_PAYLOAD - 2)]
    out = []
    for k, chunk in enumerate(chunks):
        fu_header = kind | (0x80 if k == 0 else 0) | (0x40 if k == len(chunks) - 1 else 0)
        out.append(bytes((indicator, fu_header)) + chunk)
    return out


@dataclass
class Frame:
    """One access unit as interleaved RTP packets with placeholder seq/timestamp/SSRC."""

    data: bytes
    offsets: list[int]  # where each RTP header starts inside data


def packetize(units: list[bytes]) -> tuple[list[Frame], bytes, bytes]:
    """All access units as ready interleaved frames; also the first SPS and PPS for the SDP."""
    frames: list[Frame] = []
    sps = pps = b""
    for unit in units:
        payloads = []
        for nal in _nals(unit):
            kind = nal[0] & 0x1F
            if kind == 7 and not sps:
                sps = nal
            elif kind == 8 and not pps:
                pps = nal
            if kind == 9:
                continue
            payloads.extend(_payloads(nal))
        buf = bytearray()
        offsets = []
        for k, payload in enumerate(payloads):
            marker = 0x80 if k == len(payloads) - 1 else 0
            offsets.append(len(buf) + 4)
            buf += struct.pack(">cBH", b"$", 0, 12 + len(payload))
            buf += struct.pack(">BBHII", 0x80, marker | 96, 0, 0, 0) + payload
        frames.append(Frame(bytes(buf), offsets))
    return frames, sps, pps


@dataclass
class Mount:
    """One simulated camera: its position in the clip, its RTP state and its playing clients."""

    number: int
    index: int
    ssrc: int = field(default_factory=lambda: random.getrandbits(32))
    seq: int = field(default_factory=lambda: random.getrandbits(16))
    ts: int = field(default_factory=lambda: random.getrandbits(32))
    clients: set[Client] = field(default_factory=set)
    frames_sent: int = 0


class Server:
    """The camera set, the frame clock and counters."""

    def __init__(self, cameras: int, frames: list[Frame], sps: bytes, pps: bytes, host: str, port: int) -> None:
        self.frames = frames
        self.mounts = {n: Mount(n, random.randrange(len(frames))) for n in range(1, cameras + 1)}
        self.host, self.port = host, port
        sprop = f"{base64.b64encode(sps).decode()},{base64.b64encode(pps).decode()}"
        profile = sps[1:4].hex() if len(sps) >= 4 else "4d0028"
        self.sdp_media = (f"m=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 H264/90000\r\n"
                          f"a=fmtp:96 packetization-mode=1;profile-level-id={profile};"
                          f"sprop-parameter-sets={sprop}\r\na=control:trackID=0\r\n")
        self.connections = 0
        self.refused = 0
        self.slow_dropped = 0
        self.late_ticks = 0

    def sdp(self, number: int) -> bytes:
        return (f"v=0\r\no=- {number} 1 IN IP4 {self.host}\r\ns=cam{number}\r\nt=0 0\r\n"
                f"a=control:*\r\n{self.sdp_media}").encode()

    def mount_of(self, url: str) -> Mount | None:
        path = url.split("://", 1)[-1]
        path = path[path.find("/"):] if "/" in path else "/"
        name = path.strip("/").split("/")[0]
        if name.startswith("cam") and name[3:].isdigit():
            return self.mounts.get(int(name[3:]))
        return None

    def send_frame(self, mount: Mount) -> None:
        """The mount's next frame to all its playing clients (advances even without clients)."""
        frame = self.frames[mount.index]
        mount.index = (mount.index + 1) % len(self.frames)
        if mount.clients:
            buf = bytearray(frame.data)
            seq = mount.seq
            for off in frame.offsets:
                struct.pack_into(">HII", buf, off + 2, seq, mount.ts, mount.ssrc)
                seq = (seq + 1) & 0xFFFF
            mount.seq = seq
            data = bytes(buf)
            for client in list(mount.clients):
                client.send(data)
            mount.frames_sent += 1
        else:
            mount.seq = (mount.seq + len(frame.offsets)) & 0xFFFF
        mount.ts = (mount.ts + TS_STEP) & 0xFFFFFFFF

    async def clock(self) -> None:
        """25 frames a second for every camera, catching up (not drifting) when a tick runs late."""
        t0 = time.monotonic()
        done = 0
        while True:
            due = int((time.monotonic() - t0) * FPS) + 1
            if due - done > 2:
                self.late_ticks += 1
            while done < due:
                for mount in self.mounts.values():
                    self.send_frame(mount)
                done += 1
            await asyncio.sleep(max(0.0, t0 + done / FPS - time.monotonic()))

    def stats(self) -> dict[str, object]:
        return {"cameras": len(self.mounts), "connections": self.connections, "refused": self.refused,
                "slow_dropped": self.slow_dropped, "late_ticks": self.late_ticks,
                "clients": sum(len(m.clients) for m in self.mounts.values())}


class Client(asyncio.Protocol):
    """One RTSP connection: request parsing, one session, interleaved RTP once PLAY is received."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.mount: Mount | None = None
        self.session = f"{random.getrandbits(48):012x}"
        self.playing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        if self.mount is not None:
            self.mount.clients.discard(self)

    def send(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        if self.transport.get_write_buffer_size() > MAX_BACKLOG:
            self.server.slow_dropped += 1
            self.transport.close()
            return
        self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while self.buf:
            if self.buf[0:1] == b"$":  # interleaved RTCP from the client: skip
                if len(self.buf) < 4:
                    return
                size = struct.unpack(">H", self.buf[2:4])[0]
                if len(self.buf) < 4 + size:
                    return
                self.buf = self.buf[4 + size:]
                continue
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536 and self.transport is not None:
                    self.transport.close()
                return
            head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
            self.handle(head)

    def reply(self, code: int, reason: str, cseq: str, headers: dict[str, str] | None = None,
              body: bytes = b"") -> None:
        lines = [f"RTSP/1.0 {code} {reason}", f"CSeq: {cseq}", "Server: campusguard-simcam-bulk"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body:
            lines.append(f"Content-Length: {len(body)}")
        assert self.transport is not None
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def handle(self, head: str) -> None:
        request, *rest = head.split("\r\n")
        parts = request.split(" ")
        method, url = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
        headers = {}
        for line in rest:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        cseq = headers.get("cseq", "0")
        if method == "OPTIONS":
            self.reply(200, "OK", cseq, {"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER"})
            return
        mount = self.server.mount_of(url)
        if method in ("DESCRIBE", "SETUP", "PLAY") and mount is None:
            self.server.refused += 1
            self.reply(404, "Not Found", cseq)
            return
        if method == "DESCRIBE":
            assert mount is not None
            base = url.rstrip("/") + "/"
            self.reply(200, "OK", cseq, {"Content-Type": "application/sdp", "Content-Base": base},
                       self.server.sdp(mount.number))
        elif method == "SETUP":
            transport = headers.get("transport", "")
            if "RTP/AVP/TCP" not in transport:
                self.reply(461, "Unsupported Transport", cseq)
                return
            self.mount = mount
            self.reply(200, "OK", cseq, {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1",
                                         "Session": f"{self.session};timeout=60"})
        elif method == "PLAY":
            if self.mount is None:
                self.reply(455, "Method Not Valid In This State", cseq)
                return
            m = self.mount
            self.reply(200, "OK", cseq, {"Session": self.session, "Range": "npt=0.000-",
                                         "RTP-Info": f"url={url.rstrip('/')}/trackID=0;seq={m.seq};rtptime={m.ts}"})
            m.clients.add(self)
        elif method == "GET_PARAMETER":
            self.reply(200, "OK", cseq, {"Session": self.session})
        elif method == "TEARDOWN":
            self.reply(200, "OK", cseq, {"Session": self.session})
            if self.mount is not None:
                self.mount.clients.discard(self)
            assert self.transport is not None
            self.transport.close()
        else:
            self.reply(501, "Not Implemented", cseq)


async def serve(args: argparse.Namespace) -> None:
    width, height = (int(x) for x in args.size.lower().split("x"))
    clip = load_clips(Path(args.cache), width, height, args.bitrate)["normal"]
    frames, sps, pps = packetize(clip.units)
    server = Server(args.cameras, frames, sps, pps, args.host, args.port)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: Client(server), args.host, args.port, backlog=1024)
    clock = asyncio.create_task(server.clock())
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.stats_file:
        async def dump() -> None:
            while True:
                Path(args.stats_file).write_text(json.dumps(server.stats()))
                await asyncio.sleep(1)
        stats_task = asyncio.create_task(dump())
    print(json.dumps({"ready": True, "rtsp_port": args.port, "control_port": None,
                      "frames": len(frames), "bytes_per_s": sum(len(f.data) for f in frames) * FPS // len(frames)}),
          flush=True)
    log.info("ready rtsp://%s:%d/cam1..cam%d", args.host, args.port, args.cameras)
    await stop.wait()
    clock.cancel()
    if args.stats_file:
        stats_task.cancel()
        Path(args.stats_file).write_text(json.dumps(server.stats()))
    srv.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=100)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8554)
    parser.add_argument("--control-port", type=int, default=None, help="accepted for compatibility; unused")
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--bitrate", type=int, default=2000, help="kbit/s of the pre-encoded stream")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "campusguard-simcam"))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--stats-file", default=None, help="write counters (JSON) here every second")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    random.seed(args.seed)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * args.cameras + 256))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    os.nice(0)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
