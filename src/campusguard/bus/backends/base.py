"""The interface every bus backend implements (in-process or NATS JetStream)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

MessageHandler = Callable[[dict[str, Any]], Awaitable[None]]
# Durable consumers take what is waiting in one call (one transaction per batch, not per event) and
# return the positions of the events that failed, which the backend redelivers on their own.
BatchHandler = Callable[[list[dict[str, Any]]], Awaitable[list[int]]]


class Backend(Protocol):
    """Durable consumers get each event once per group (at least once); broadcast goes to every node."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, event: dict[str, Any]) -> None: ...

    async def subscribe_durable(self, group: str, handler: BatchHandler) -> None: ...

    async def subscribe_broadcast(self, handler: MessageHandler) -> None: ...

    async def ping(self) -> bool: ...
