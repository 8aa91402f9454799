"""The claims rules, pure and exact: deadlines, the indemnity computation, recoveries, service levels."""
