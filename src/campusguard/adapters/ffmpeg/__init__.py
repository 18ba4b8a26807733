"""ffmpeg/ffprobe adapter: stream copy recording, live HLS packaging, probing and clip cutting."""
