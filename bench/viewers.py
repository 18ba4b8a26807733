"""`campusguard bench viewers`: 1,000 HLS viewers via nginx+secure_link vs plain nginx vs the app."""

import json
import sys

from campusguard.video.bench import bench_viewers

if __name__ == "__main__":
    viewers = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(bench_viewers(viewers)))
