"""Credit limits: requests, instant decisions, referrals, reductions and cancellations, capacity."""
