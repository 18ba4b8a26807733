"""Tables of the rollout domain."""
