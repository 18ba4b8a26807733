"""WebSocket fan-out: each connected user gets the events of their scope, never more."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import anyio
import orjson
import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from prometheus_client import Gauge

from campusguard.bus.events import Event, event_class
from campusguard.core.auth import Principal, decode_token, principal_from_api_token, principal_from_claims
from campusguard.core.errors import ProblemError
from campusguard.core.scope import allowed_school_ids

log = structlog.get_logger(__name__)
CONNECTED = Gauge("campusguard_ws_connections", "Open event WebSocket connections")
router = APIRouter()


@dataclass(eq=False)
class Connection:
    principal: Principal
    school_ids: set[int] | None
    districts: set[str] | None
    queue: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    dropped: int = 0

    def sees(self, event: Event) -> bool:
        if not self.principal.can(event_class(event.type).audience):
            return False
        if self.school_ids is None:
            return True
        if event.school_id is not None:
            return event.school_id in self.school_ids
        return self.districts is not None and event.district_code in self.districts


class Hub:
    """Holds the open connections of this node; the bus broadcast feeds it."""

    def __init__(self) -> None:
        self.connections: set[Connection] = set()

    async def on_event(self, event: Event) -> None:
        if not self.connections:
            return
        data = orjson.dumps(event.model_dump(mode="json"))
        for conn in list(self.connections):
            if conn.sees(event):
                try:
                    conn.queue.put_nowait(data)
                except asyncio.QueueFull:
                    conn.dropped += 1


def _authenticate(websocket: WebSocket, token: str) -> tuple[Principal, set[int] | None, set[str] | None]:
    app = websocket.app
    with app.state.db.session() as session:
        if token.startswith("cgi_"):
            principal = principal_from_api_token(session, token)
        else:
            principal = principal_from_claims(decode_token(app.state.settings, token))
        ids = allowed_school_ids(session, principal)
        districts = None
        if ids is not None and principal.region_code:
            districts = {principal.region_code}
        return principal, ids, districts


@router.websocket("/ws")
async def events_socket(websocket: WebSocket) -> None:
    """Push scoped events as JSON; the token comes as ?token= because browsers cannot set headers."""
    token = websocket.query_params.get("token", "")
    try:
        principal, ids, districts = await anyio.to_thread.run_sync(_authenticate, websocket, token)
    except ProblemError as exc:
        await websocket.close(code=4401, reason=exc.code)
        return
    if not principal.can("events.read"):
        await websocket.close(code=4403, reason="forbidden")
        return
    await websocket.accept()
    hub: Hub = websocket.app.state.hub
    conn = Connection(principal, ids, districts)
    hub.connections.add(conn)
    CONNECTED.inc()
    sender = asyncio.create_task(_pump(websocket, conn))
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        hub.connections.discard(conn)
        CONNECTED.dec()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _pump(websocket: WebSocket, conn: Connection) -> None:
    ping = orjson.dumps({"type": "ping"})
    while True:
        try:
            data = await asyncio.wait_for(conn.queue.get(), timeout=20)
        except TimeoutError:
            data = ping
        await websocket.send_text(data.decode())
