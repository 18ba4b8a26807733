"""Typed events: one pydantic model per event type, registered by its `type` string."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from campusguard.core.db import utcnow

_registry: dict[str, type[Event]] = {}


class Event(BaseModel):
    """Base of every event; subclasses fix `type` with a Literal default, e.g. "alarm.raised"."""

    model_config = ConfigDict(extra="allow")

    audience: ClassVar[str] = "events.read"
    """Permission a WebSocket user needs to receive this event (besides being in scope)."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    type: str
    occurred_at: datetime = Field(default_factory=utcnow)
    school_id: int | None = None
    district_code: str | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["type"].default
        if isinstance(default, str) and default:
            _registry[default] = cls


class GenericEvent(Event):
    """An event whose type this process does not know (another version or node)."""


def event_class(type_: str) -> type[Event]:
    return _registry.get(type_, GenericEvent)


def parse_event(data: dict[str, Any]) -> Event:
    """Rebuild a typed event from its JSON form."""
    return event_class(str(data.get("type", ""))).model_validate(data)


def known_types() -> list[str]:
    return sorted(_registry)
