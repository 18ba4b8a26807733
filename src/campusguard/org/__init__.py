"""The org domain."""
