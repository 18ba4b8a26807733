"""`python -m sim.gates --device CODE --token cgd_... [--photos DIR]`: one JSON line per frame."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from sim.gates.terminal import GateTerminal, people

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="CampusGuard face gate terminal simulator")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--device", required=True, help="device code of a face_terminal/gate")
    parser.add_argument("--token", required=True, help="the device's bearer token (cgd_...)")
    parser.add_argument("--photos", type=Path, default=ROOT / "tests" / "data" / "faces")
    parser.add_argument("--direction", choices=("in", "out"), default="in")
    parser.add_argument("--count", type=int, default=12, help="frames to send")
    parser.add_argument("--frames", type=int, default=3, help="frames per passer-by (one passage)")
    parser.add_argument("--interval-s", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    gate = GateTerminal(args.url, args.device, args.token, direction=args.direction)
    for answer in gate.run(
        people(args.photos), count=args.count, frames=args.frames, interval_s=args.interval_s, seed=args.seed
    ):
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
