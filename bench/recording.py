"""`campusguard bench recording`: N simulated 1080p cameras recorded as in production vs bare `ffmpeg -c copy`."""

import asyncio
import json
import sys

from campusguard.video.bench import bench_recording

if __name__ == "__main__":
    cameras = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(json.dumps(asyncio.run(bench_recording(cameras))))
