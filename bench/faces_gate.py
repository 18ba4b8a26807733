"""Gate benchmark entry point: `python bench/faces_gate.py [PHOTOS_DIR] [--captures N]` prints JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from campusguard.face.gatebench import run
from campusguard.logs import configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("photos", nargs="?", default="../shared/testdata/faces", type=Path)
    parser.add_argument("--captures", type=int, default=24)
    args = parser.parse_args()
    configure_logging()
    print(json.dumps(run(args.photos, captures=args.captures)))


if __name__ == "__main__":
    main()
