"""The rollout domain."""
