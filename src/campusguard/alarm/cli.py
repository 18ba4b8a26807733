"""Command-line commands of the alarm domain: `bench alarms`."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer


def bench_alarms(
    devices: Annotated[int, typer.Option(help="simulated alarm points heartbeating")] = 10_000,
    heartbeat_s: Annotated[float, typer.Option(help="heartbeat interval of every device")] = 10.0,
    burst: Annotated[int, typer.Option(help="alarms pressed at once")] = 200,
    mqtt_url: Annotated[str | None, typer.Option(help="external broker; default: a private, tuned Mosquitto")
                        ] = None,
    connections: Annotated[int, typer.Option(help="MQTT connections the simulator multiplexes on")] = 4,
    warmup_s: Annotated[float | None, typer.Option(help="heartbeat-only time before the burst")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print one JSON line")] = False,
    keep: Annotated[bool, typer.Option(help="keep the work directory (database, server log)")] = False,
    postgres: Annotated[str | None, typer.Option(help="PostgreSQL admin URL: bench on a fresh database there")
                        ] = None,
) -> None:
    """Device publish -> incident on a console WebSocket, against the raw MQTT round trip."""
    from campusguard.alarm.bench import BenchConfig, run_bench
    from campusguard.logs import configure_logging

    configure_logging()
    result = asyncio.run(run_bench(BenchConfig(devices=devices, heartbeat_s=heartbeat_s, burst=burst,
                                               mqtt_url=mqtt_url, connections=connections, warmup_s=warmup_s,
                                               keep=keep, postgres=postgres)))
    if json_out:
        typer.echo(json.dumps(result))
        return
    for key, value in result.items():
        typer.echo(f"{key:>34}: {value}")


def register(root: typer.Typer, bench: typer.Typer, eval_: typer.Typer) -> None:
    """Add this domain's commands to the CLI groups."""
    bench.command("alarms")(bench_alarms)
