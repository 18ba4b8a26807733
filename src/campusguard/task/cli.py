"""Command-line commands of the task domain."""

import typer


def register(root: typer.Typer, bench: typer.Typer, eval_: typer.Typer) -> None:
    """Add this domain's commands to the CLI groups."""
