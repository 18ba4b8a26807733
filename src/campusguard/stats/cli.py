"""Command-line commands of the stats domain: `bench stats`, `stats briefings`, `stats geo`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(root: typer.Typer, bench: typer.Typer, eval_: typer.Typer) -> None:
    """Add this domain's commands to the CLI groups."""

    @bench.command("stats")
    def bench_stats(
        database_url: Annotated[str | None, typer.Option(help="PostgreSQL URL (a throw-away DB is created "
                                                              "beside it); default: a temp SQLite file")] = None,
        schools: Annotated[int, typer.Option(min=1)] = 300,
        days: Annotated[int, typer.Option(min=7, max=1100)] = 365,
        repeat: Annotated[int, typer.Option(min=3)] = 30,
        gc_freeze: Annotated[bool, typer.Option(
            help="freeze the start-up heap before timing, as the server does (--no-gc-freeze: without)")] = True,
    ) -> None:
        """Seed a year of rollups, time the city dashboard (p99) and a quarterly assessment run; JSON."""
        from campusguard.stats.bench import run

        typer.echo(json.dumps(run(database_url=database_url, schools=schools, days=days, repeat=repeat,
                                  gc_freeze=gc_freeze),
                              ensure_ascii=False))

    stats_app = typer.Typer(help="Online data: rollups, briefings, map layer")
    root.add_typer(stats_app, name="stats")

    @stats_app.command("geo")
    def geo_layer(out: Annotated[Path, typer.Option(help="GeoJSON file to write")] = Path(
            "web/public/geo/districts.geojson")) -> None:
        """Write the offline district layer of the demo city (Voronoi cells clipped to the city outline)."""
        from campusguard.stats.geo import demo_city_layer

        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(demo_city_layer(), ensure_ascii=False, separators=(",", ":")) + "\n")
        typer.echo(f"wrote {out}")
