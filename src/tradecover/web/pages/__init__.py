"""The page handlers, one module per area."""
