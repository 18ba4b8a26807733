"""The task domain."""
