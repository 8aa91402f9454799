"""Risk runs: the platform book through the risk engine, and the stored results."""
