"""Alarm benchmark: `python bench/alarms.py --devices 10000 --heartbeat-s 10 --burst 200` prints JSON."""

from __future__ import annotations

import argparse
import asyncio
import json

from campusguard.alarm.bench import BenchConfig, run_bench
from campusguard.logs import configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--heartbeat-s", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--mqtt-url", default=None, help="external broker (default: private Mosquitto)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--warmup-s", type=float, default=None)
    parser.add_argument("--postgres", default=None, help="PostgreSQL admin URL (default: SQLite)")
    args = parser.parse_args()
    configure_logging()
    config = BenchConfig(devices=args.devices, heartbeat_s=args.heartbeat_s, burst=args.burst,
                         mqtt_url=args.mqtt_url, connections=args.connections, warmup_s=args.warmup_s,
                         postgres=args.postgres)
    print(json.dumps(asyncio.run(run_bench(config))))


if __name__ == "__main__":
    main()
