"""Command-line commands of the hazard domain: `hazards sweep` (escalate overdue now), `hazards stats`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

hazards_app = typer.Typer(help="Hidden-danger investigation (隐患排查)")


def _db():  # type: ignore[no-untyped-def]
    from campusguard.config import get_settings
    from campusguard.core.db import Database

    return Database(get_settings().db_url)


@hazards_app.command("sweep")
def sweep() -> None:
    """Flag overdue hazards and escalate them now (the periodic job does this every minute)."""
    from campusguard.hazard.service import sweep_overdue

    db = _db()
    with db.session() as s:
        changed = sweep_overdue(s)
    typer.echo(f"{changed} hazard(s) flagged or escalated")


@hazards_app.command("stats")
def stats(by: Annotated[str, typer.Option(help="school | grid | district")] = "district") -> None:
    """Found / rectified / overdue for the whole city, as JSON."""
    from campusguard.core.auth import SYSTEM
    from campusguard.hazard.stats import hazard_stats

    db = _db()
    with db.session() as s:
        out = hazard_stats(s, SYSTEM, by=by)
    typer.echo(json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=2))


def register(root: typer.Typer, bench: typer.Typer, eval_: typer.Typer) -> None:
    """Add this domain's commands to the CLI groups."""
    root.add_typer(hazards_app, name="hazards")
