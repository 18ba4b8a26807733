"""The device domain."""
