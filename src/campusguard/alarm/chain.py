"""Escalation chains as data (like Grafana OnCall) and the pure walk over their steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

Target = Literal["school_operators", "district_police", "liaison_officers", "city_command"]
Channel = Literal["websocket", "webpush", "sms", "voice"]


def _default_channels() -> list[Channel]:
    return ["websocket", "webpush"]


class NotifyStep(BaseModel):
    """Notify everyone of one audience through the listed channels."""

    kind: Literal["notify"] = "notify"
    target: Target
    channels: list[Channel] = Field(default_factory=_default_channels, min_length=1)


class WaitStep(BaseModel):
    """Give the notified people time to acknowledge before going further."""

    kind: Literal["wait"] = "wait"
    seconds: int = Field(ge=1, le=24 * 3600)


class RepeatStep(BaseModel):
    """Start again from the first step, at most `times` more rounds."""

    kind: Literal["repeat"] = "repeat"
    times: int = Field(ge=1, le=10)


Step = Annotated[NotifyStep | WaitStep | RepeatStep, Field(discriminator="kind")]
STEPS: TypeAdapter[list[Step]] = TypeAdapter(list[Step])

DEFAULT_CHAIN: list[dict[str, object]] = [
    {"kind": "notify", "target": "school_operators", "channels": ["websocket", "webpush"]},
    {"kind": "wait", "seconds": 60},
    {"kind": "notify", "target": "district_police", "channels": ["websocket", "webpush", "sms"]},
    {"kind": "wait", "seconds": 60},
    {"kind": "notify", "target": "liaison_officers", "channels": ["webpush", "sms", "voice"]},
    {"kind": "wait", "seconds": 120},
    {"kind": "repeat", "times": 1},
    {"kind": "notify", "target": "city_command", "channels": ["websocket", "sms", "voice"]},
]


def parse_steps(raw: list[dict[str, object]]) -> list[NotifyStep | WaitStep | RepeatStep]:
    """Validate a chain definition; a chain must notify somebody."""
    steps = STEPS.validate_python(raw)
    if not any(isinstance(s, NotifyStep) for s in steps):
        raise ValueError("an escalation chain needs at least one notify step")
    return steps


@dataclass
class Position:
    """Where a running chain stands: the next step and the round (repeats done)."""

    index: int = 0
    round: int = 0


@dataclass
class Advance:
    """What to do now: notify these steps, then wait (`wait_s`) or finish."""

    notify: list[NotifyStep] = field(default_factory=list)
    wait_s: int | None = None
    next: Position | None = None  # None: chain finished


def advance(steps: list[NotifyStep | WaitStep | RepeatStep], pos: Position) -> Advance:
    """Run steps from `pos` until a wait (schedule the rest) or the end of the chain."""
    out = Advance()
    index, rnd = pos.index, pos.round
    guard = 0
    while index < len(steps):
        guard += 1
        if guard > 1000:
            break
        step = steps[index]
        if isinstance(step, NotifyStep):
            out.notify.append(step)
            index += 1
        elif isinstance(step, WaitStep):
            out.wait_s = step.seconds
            out.next = Position(index + 1, rnd)
            return out
        else:
            if rnd < step.times:
                index, rnd = 0, rnd + 1
            else:
                index += 1
    return out
