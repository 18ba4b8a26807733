"""Events of liaison tasks: the officer's phone, the district console and statistics listen."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from campusguard.bus.events import Event


class TaskEvent(Event):
    """Base of task events: seen by anyone holding task.read in the task's scope."""

    audience: ClassVar[str] = "task.read"

    task_id: int
    kind: str
    status: str
    title: str
    officer_user_id: int | None = None
    school_code: str = ""
    actor: str = ""


class TaskAssigned(TaskEvent):
    type: Literal["task.assigned"] = "task.assigned"
    due_at: datetime


class TaskCompleted(TaskEvent):
    type: Literal["task.completed"] = "task.completed"
    hazard_ids: list[int] = []


class TaskOverdue(TaskEvent):
    type: Literal["task.overdue"] = "task.overdue"
    due_at: datetime
