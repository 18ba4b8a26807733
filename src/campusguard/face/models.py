"""Tables of the face domain."""
