"""Face benchmark entry point: `python bench/faces.py [PHOTOS_DIR] [--max-size N]` prints JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from campusguard.face.bench import run
from campusguard.logs import configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("photos", nargs="?", default="tests/data/faces", type=Path)
    parser.add_argument("--max-size", type=int, default=1_000_000)
    parser.add_argument("--captures", type=int, default=40)
    args = parser.parse_args()
    configure_logging()
    sizes = tuple(s for s in (10_000, 100_000, 1_000_000) if s <= args.max_size)
    print(json.dumps(run(args.photos, sizes=sizes, captures=args.captures)))


if __name__ == "__main__":
    main()
