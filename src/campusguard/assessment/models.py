"""Tables of the assessment domain."""
