"""Tables of the hazard domain."""
