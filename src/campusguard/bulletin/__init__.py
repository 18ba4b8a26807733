"""The bulletin domain."""
