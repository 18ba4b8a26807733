"""The accounts domain."""
