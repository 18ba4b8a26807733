"""The alarm domain."""
