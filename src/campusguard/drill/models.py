"""Tables of the drill domain."""
