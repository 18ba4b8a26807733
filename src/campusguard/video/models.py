"""Tables of the video domain."""
