"""Run the device simulator: `python -m sim.devices --mqtt mqtt://127.0.0.1:1883 --schools 3`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from sim.devices.runner import SimConfig, run_simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="CampusGuard alarm device simulator (MQTT + SIA DC-09)")
    parser.add_argument("--mqtt", default="mqtt://127.0.0.1:1883")
    parser.add_argument("--schools", type=int, default=3)
    parser.add_argument("--per-school", type=int, default=4)
    parser.add_argument("--school-codes", default="", help="comma list; overrides --schools")
    parser.add_argument("--suffixes", default="AB01,PS01", help="device code suffixes per school code")
    parser.add_argument("--heartbeat-s", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--alarm-every-s", type=float, default=0.0, help="random press interval, 0 = never")
    parser.add_argument("--dc09", default="", help="host:port of the DC-09 receiver")
    parser.add_argument("--dc09-account", default="", help='account, or "auto" (one panel per school)')
    parser.add_argument("--dc09-key", default="", help="AES key in hex")
    parser.add_argument("--duration-s", type=float, default=0.0, help="0 = run until interrupted")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = SimConfig(
        mqtt_url=args.mqtt or None,
        schools=args.schools,
        per_school=args.per_school,
        school_codes=[c for c in args.school_codes.split(",") if c],
        suffixes=[c for c in args.suffixes.split(",") if c],
        heartbeat_s=args.heartbeat_s,
        connections=args.connections,
        alarm_every_s=args.alarm_every_s,
        dc09=args.dc09 or None,
        dc09_account=args.dc09_account or None,
        dc09_key=bytes.fromhex(args.dc09_key) if args.dc09_key else None,
        duration_s=args.duration_s,
    )
    asyncio.run(run_simulator(config))


if __name__ == "__main__":
    main()
