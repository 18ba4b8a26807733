"""The face domain."""
