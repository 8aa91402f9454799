"""The demo world: a deterministic synthetic book from a seed."""
