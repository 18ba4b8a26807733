"""The hazard domain."""
