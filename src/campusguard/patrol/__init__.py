"""The patrol domain."""
