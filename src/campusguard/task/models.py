"""Tables of the task domain."""
