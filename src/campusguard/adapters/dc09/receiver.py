"""Asyncio DC-09 receiver (TCP and UDP): ACK only after the handler committed, never crash on bad input."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType

import structlog
from prometheus_client import Counter

from campusguard.adapters.dc09.codec import (
    MAX_FRAME,
    Dc09Error,
    Dc09Message,
    Header,
    TimestampWindow,
    build_ack,
    build_duh,
    build_nak,
    decode,
    parse_frame,
    utc_now,
)

log = structlog.get_logger(__name__)

REJECTED = Counter(
    "campusguard_dc09_rejected_total", "DC-09 frames refused by the receiver", ["reason"]
)
ACCEPTED = Counter("campusguard_dc09_accepted_total", "DC-09 messages acknowledged", ["token"])


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """What the receiver needs to know about an account: its AES key, if it uses one."""

    key: bytes | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused frame, handed to the security-event hook."""

    reason: str
    reply: str
    peer: str
    transport: str
    account: str | None
    detail: str


AccountLookup = Callable[[str], Awaitable[AccountInfo | None]]
Handler = Callable[[Dc09Message], Awaitable[bool]]
RejectHook = Callable[[Rejection], Awaitable[None]]


class Dc09Receiver:
    """One receiver serving TCP and UDP on the same port."""

    def __init__(
        self,
        handler: Handler,
        accounts: AccountLookup,
        *,
        window: TimestampWindow | None = None,
        on_reject: RejectHook | None = None,
        idle_timeout_s: float = 120.0,
    ) -> None:
        self._handler = handler
        self._accounts = accounts
        self._window = window or TimestampWindow()
        self._on_reject = on_reject
        self._idle_timeout_s = idle_timeout_s
        self._tcp: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "0.0.0.0", port: int = 0) -> int:
        """Listen on TCP and UDP; port 0 picks a free TCP port and reuses it for UDP."""
        self._tcp = await asyncio.start_server(self._serve_tcp, host, port, limit=MAX_FRAME * 2)
        self.port = int(self._tcp.sockets[0].getsockname()[1])
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=(host, self.port)
        )
        self._udp = transport
        log.info("dc09.listening", host=host, port=self.port)
        return self.port

    async def stop(self) -> None:
        """Stop listening and wait for in-flight frames so no ACK is half sent."""
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._tcp.wait_closed(), 5)
            self._tcp = None
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    async def __aenter__(self) -> Dc09Receiver:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- core --------------------------------------------------------------------------------

    async def process(self, raw: bytes, *, peer: str, transport: str) -> bytes | None:
        """Answer one frame: ACK after the handler accepted it, else NAK/DUH; None = stay silent."""
        header: Header | None = None
        try:
            header = parse_frame(raw)
            info = await self._accounts(header.account)
            if info is None:
                raise Dc09Error("unknown_account", "DUH", header.account)
            now = utc_now()
            message = decode(
                header, info.key, now=now, window=self._window, require_encryption=info.key is not None
            )
            if not any(event.event_type for event in message.events):
                codes = ",".join(event.code for event in message.events)
                raise Dc09Error("unsupported_code", "DUH", codes)
        except Dc09Error as exc:
            return await self._reject(exc, header, peer=peer, transport=transport)
        try:
            accepted = await self._handler(message)
        except Exception:
            # Transient failure (database down ...): stay silent so the panel retransmits.
            REJECTED.labels(reason="handler_error").inc()
            log.exception("dc09.handler_failed", account=header.account, seq=header.seq, peer=peer)
            return None
        if not accepted:
            return await self._reject(
                Dc09Error("refused", "DUH", "handler refused the message"), header, peer=peer,
                transport=transport,
            )
        ACCEPTED.labels(token=header.token).inc()
        return build_ack(header, key=info.key, now=utc_now())

    async def _reject(
        self, exc: Dc09Error, header: Header | None, *, peer: str, transport: str
    ) -> bytes | None:
        """Count, log as a security event, notify the hook and build the reply the standard asks."""
        REJECTED.labels(reason=exc.reason).inc()
        account = header.account if header else None
        log.warning(
            "dc09.rejected", security_event=True, reason=exc.reason, reply=exc.reply, peer=peer,
            transport=transport, account=account, detail=exc.detail,
        )
        if self._on_reject is not None:
            try:
                await self._on_reject(
                    Rejection(exc.reason, exc.reply, peer, transport, account, exc.detail)
                )
            except Exception:
                log.exception("dc09.reject_hook_failed")
        if exc.reply == "NAK":
            return build_nak(now=utc_now())
        if exc.reply == "DUH" and header is not None:
            return build_duh(header)
        return None

    # -- transports --------------------------------------------------------------------------

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one panel connection: frames end with CR; oversize or idle connections are dropped."""
        peer = _peer(writer.get_extra_info("peername"))
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)  # type: ignore[arg-type]
        try:
            while True:
                try:
                    chunk = await asyncio.wait_for(reader.readuntil(b"\r"), self._idle_timeout_s)
                except asyncio.IncompleteReadError as exc:
                    if exc.partial.strip():
                        await self._reject(Dc09Error("format", "NONE", "truncated frame"), None,
                                           peer=peer, transport="tcp")
                    break
                except asyncio.LimitOverrunError:
                    await self._reject(Dc09Error("too_long", "NONE", "no CR within limit"), None,
                                       peer=peer, transport="tcp")
                    break
                except TimeoutError:
                    break
                start = chunk.rfind(b"\n")
                raw = chunk[start:] if start >= 0 else chunk
                reply = await self.process(raw, peer=peer, transport="tcp")
                if reply is not None:
                    writer.write(reply)
                    await writer.drain()
        except (ConnectionError, OSError):
            log.info("dc09.connection_lost", peer=peer)
        except Exception:
            REJECTED.labels(reason="internal").inc()
            log.exception("dc09.tcp_error", peer=peer)
        finally:
            if task is not None:
                self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _spawn_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.get_running_loop().create_task(self._serve_udp(data, addr))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        """One datagram is one frame; the reply goes back to the sender address."""
        peer = _peer(addr)
        try:
            reply = await self.process(data, peer=peer, transport="udp")
            if reply is not None and self._udp is not None:
                self._udp.sendto(reply, addr)
        except Exception:
            REJECTED.labels(reason="internal").inc()
            log.exception("dc09.udp_error", peer=peer)


class _UdpProtocol(asyncio.DatagramProtocol):
    """Hands each datagram to the receiver as its own task."""

    def __init__(self, receiver: Dc09Receiver) -> None:
        self._receiver = receiver

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:  # type: ignore[override]
        self._receiver._spawn_udp(data, addr)

    def error_received(self, exc: Exception) -> None:
        log.warning("dc09.udp_socket_error", error=str(exc))


def _peer(addr: object) -> str:
    """Render a socket address for logs."""
    if isinstance(addr, tuple) and len(addr) >= 2:
        return f"{addr[0]}:{addr[1]}"
    return str(addr)
